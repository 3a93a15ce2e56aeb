/**
 * A call due sooner than this is awaited by checking on each turn of the event loop rather than by a timer: a timer
 * works in whole milliseconds of the event loop's clock (it may fire up to 1 ms early or late against
 * `performance.now()`), which would make a call due in 50 us wait up to twenty times longer than it should. The
 * price is a busy event loop for those moments: at most this long per wake-up.
 */
const POLL_BELOW_MS = 0.25;

/** One call waiting out its simulated latency. */
interface Sleeper {
  /** When it may resume (`performance.now()` time). */
  dueAt: number;
  /** Tie-break: calls due at the same time resume in the order they started. */
  sequence: number;
  /** False once resumed or aborted. */
  waiting: boolean;
  signal: AbortSignal;
  resolve: () => void;
  reject: (reason: unknown) => void;
}

/**
 * Simulated network latency, modelled the way a response arrives on a socket: a call that waits `ms` resumes at the
 * first turn of the event loop after `ms` have passed since it started, however busy the process was meanwhile, and
 * resumed calls run one callback each, as socket reads do. One timer serves every waiting call; calls already due
 * are resumed from `setImmediate`, and a call due in less than a timer's resolution is awaited turn by turn.
 * Why not one `setTimeout` per call: docs/benchmarks.md ("How the 1 ms target went from missed to met").
 */
export class SimLatencyScheduler {
  /** Waiting calls, a binary min-heap on (dueAt, sequence). */
  readonly #heap: Sleeper[] = [];
  #sequence = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The due time the armed timer was set for. */
  #timerDueAt = Number.POSITIVE_INFINITY;
  #immediate: ReturnType<typeof setImmediate> | undefined;
  #waiting = 0;
  readonly #signalsListenedTo = new WeakSet<AbortSignal>();

  /** Calls waiting right now. */
  get waiting(): number {
    return this.#waiting;
  }

  /**
   * Resolves once `ms` milliseconds have passed, at the next turn of the event loop; rejects with the signal's
   * reason as soon as `signal` aborts. A waiting call keeps the process alive, as a request in flight would.
   */
  wait(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    this.#listenForAbort(signal);
    return new Promise<void>((resolve, reject) => {
      this.#push({
        dueAt: performance.now() + ms,
        sequence: this.#sequence++,
        waiting: true,
        signal,
        resolve,
        reject,
      });
      this.#waiting += 1;
      this.#arm();
    });
  }

  /**
   * One abort listener per signal, however many calls wait on it (calls share their deadline signal): aborts are
   * rare, so finding the calls of an aborted signal by a scan is cheaper than a listener and its removal per call.
   */
  #listenForAbort(signal: AbortSignal): void {
    if (this.#signalsListenedTo.has(signal)) return;
    this.#signalsListenedTo.add(signal);
    signal.addEventListener('abort', () => this.#abortWaitsOn(signal), { once: true });
  }

  #abortWaitsOn(signal: AbortSignal): void {
    for (const sleeper of this.#heap) {
      if (!sleeper.waiting || sleeper.signal !== signal) continue;
      sleeper.waiting = false;
      this.#waiting -= 1;
      sleeper.reject(signal.reason);
    }
    // Nobody left waiting: drop the aborted entries so no timer keeps the process alive for them.
    if (this.#waiting === 0) this.#clear();
  }

  /** Arms the timer for the earliest waiting call, unless a drain is already coming. */
  #arm(): void {
    if (this.#immediate !== undefined) return;
    const next = this.#heap[0];
    if (next === undefined) return;
    if (this.#timer !== undefined) {
      if (next.dueAt >= this.#timerDueAt) return;
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const waitMs = next.dueAt - performance.now();
    if (waitMs <= 0) {
      this.#immediate = setImmediate(this.#drain);
      return;
    }
    if (waitMs < POLL_BELOW_MS) {
      // Too close for a timer, which fires a whole millisecond (or more) later: check again on the next turn.
      this.#immediate = setImmediate(this.#recheck);
      return;
    }
    this.#timerDueAt = next.dueAt;
    this.#timer = setTimeout(this.#drain, Math.max(1, Math.ceil(waitMs)));
  }

  /**
   * Resumes every call that is due, then re-arms from a `setImmediate`: by then the resumed calls have run on and
   * queued their next waits, and a call that became due meanwhile is resumed at once rather than a timer later.
   */
  readonly #drain = (): void => {
    this.#timer = undefined;
    this.#timerDueAt = Number.POSITIVE_INFINITY;
    this.#immediate = undefined;
    const now = performance.now();
    let resumed = 0;
    for (let next = this.#heap[0]; next !== undefined && next.dueAt <= now; next = this.#heap[0]) {
      this.#pop();
      if (!next.waiting) continue;
      next.waiting = false;
      this.#waiting -= 1;
      // One callback per resumed call, as one socket read per response: Node runs the microtasks of each before
      // the next, so every call goes all the way through its caller and on to its next request before the next
      // call resumes, instead of all of them advancing in lock-step and queueing their next waits together. The
      // first runs on straight after this callback.
      if (resumed === 0) next.resolve();
      else setImmediate(next.resolve);
      resumed += 1;
    }
    // Several calls resumed: re-arm once they have all run on and queued their next waits. One or none: at once.
    if (resumed > 1) this.#immediate = setImmediate(this.#recheck);
    else this.#arm();
  };

  #clear(): void {
    this.#heap.length = 0;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerDueAt = Number.POSITIVE_INFINITY;
  }

  readonly #recheck = (): void => {
    this.#immediate = undefined;
    this.#arm();
  };

  #push(sleeper: Sleeper): void {
    const heap = this.#heap;
    let index = heap.push(sleeper) - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!earlier(sleeper, heap[parent]!)) break;
      heap[index] = heap[parent]!;
      index = parent;
    }
    heap[index] = sleeper;
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && earlier(heap[right]!, heap[left]!) ? right : left;
      if (!earlier(heap[child]!, last)) break;
      heap[index] = heap[child]!;
      index = child;
    }
    heap[index] = last;
  }
}

function earlier(a: Sleeper, b: Sleeper): boolean {
  return a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.sequence < b.sequence);
}
