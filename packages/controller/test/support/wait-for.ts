/** Polls `condition` every 10 ms until it holds; throws naming `what` after `timeoutMs` (generous: loaded machines). */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A promise a test opens when it decides: `await gate.opened` blocks until `gate.open()`. */
export interface Gate {
  readonly opened: Promise<void>;
  open(): void;
}

/** Makes a closed {@link Gate}. */
export function gate(): Gate {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}
