/**
 * "1 host" or "12 hosts", followed by the verb in agreement, for filter descriptions.
 *
 * @example
 * hostsPhrase(3, 'is', 'are'); // "3 hosts are"
 */
export function hostsPhrase(hosts: number, singular: string, plural: string): string {
  return hosts === 1 ? `1 host ${singular}` : `${hosts} hosts ${plural}`;
}
