/** The first key after every key that starts with `prefix` (etcd's `range_end` for a prefix range). */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let index = end.length - 1; index >= 0; index -= 1) {
    if (end[index]! < 0xff) {
      end[index]! += 1;
      return end.subarray(0, index + 1);
    }
  }
  // Only 0xff bytes (or nothing): every key from `prefix` on. etcd spells "no end" as a single zero byte.
  return Buffer.from([0]);
}

/** The smallest key after `key`, to start the next page of a range. */
export function keyAfter(key: Buffer): Buffer {
  return Buffer.concat([key, Buffer.from([0])]);
}
