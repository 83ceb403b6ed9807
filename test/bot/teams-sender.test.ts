import { describe, expect, it } from 'vitest';
import { Pacer, statusOf, TeamsLimitsMiddleware, TEAMS_CONVERSATION_LIMITS, withRetry, type RetryOptions } from '../../bot/teams-sender.js';
import { MemoryPacingLedger, type PacingLedger } from '../../data/pacing.store.js';

/** An error as botbuilder's connector throws it. */
const httpError = (statusCode: number) => Object.assign(new Error(`HTTP ${statusCode}`), { statusCode });

/** A send that fails with these errors first, then answers "sent". */
function failing(...errors: unknown[]) {
  let calls = 0;
  const send = async () => {
    calls++;
    const error = errors.shift();
    if (error !== undefined) throw error;
    return 'sent';
  };
  return { send, calls: () => calls };
}

/** Options with a sleep that only records how long it was asked to wait. */
function recorded(options: RetryOptions = {}) {
  const delays: number[] = [];
  const retries: [attempt: number, status: number | undefined][] = [];
  return {
    delays,
    retries,
    options: {
      sleep: async (ms: number) => void delays.push(ms),
      onRetry: (attempt: number, status: number | undefined) => void retries.push([attempt, status]),
      ...options,
    } satisfies RetryOptions,
  };
}

describe('withRetry: back-off on Teams throttling', () => {
  it('returns what the send returns, without waiting, when it succeeds', async () => {
    const send = failing();
    const { delays, options } = recorded();
    await expect(withRetry(send.send, options)).resolves.toBe('sent');
    expect(send.calls()).toBe(1);
    expect(delays).toEqual([]);
  });

  it.each([429, 412, 502, 504])('retries on %i and then succeeds', async (status) => {
    const send = failing(httpError(status), httpError(status));
    const { delays, retries, options } = recorded({ random: () => 1 });
    await expect(withRetry(send.send, options)).resolves.toBe('sent');
    expect(send.calls()).toBe(3);
    expect(delays).toHaveLength(2);
    expect(retries).toEqual([
      [1, status],
      [2, status],
    ]);
  });

  it.each(['ECONNRESET', 'EPIPE', 'ECONNREFUSED'])('sends again after %s: the connection failed before Teams could take the message', async (code) => {
    // As the connector client reports it: a RestError with the socket's code and no status.
    const send = failing(Object.assign(new Error('socket hang up'), { code }));
    const { options } = recorded({ random: () => 1 });
    const seen: (string | undefined)[] = [];
    await expect(withRetry(send.send, { ...options, onRetry: (_attempt, _status, _delay, reason) => void seen.push(reason) })).resolves.toBe('sent');
    expect(send.calls()).toBe(2);
    expect(seen).toEqual([code]);
  });

  it('does not send again after a timeout or an unknown failure, when Teams may already have the message', async () => {
    for (const error of [Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }), new Error('something else')]) {
      const send = failing(error);
      await expect(withRetry(send.send, recorded().options)).rejects.toBe(error);
      expect(send.calls()).toBe(1);
    }
  });

  it('doubles the wait on each attempt (base · 2^n, jitter at its top)', async () => {
    const send = failing(...Array.from({ length: 5 }, () => httpError(429)));
    const { delays, options } = recorded({ baseMs: 400, maxMs: 100_000, random: () => 1, retries: 5 });
    await withRetry(send.send, options);
    expect(delays).toEqual([400, 800, 1600, 3200, 6400]);
  });

  it('waits at least half of that with the lowest jitter', async () => {
    const send = failing(...Array.from({ length: 5 }, () => httpError(429)));
    const { delays, options } = recorded({ baseMs: 400, maxMs: 100_000, random: () => 0, retries: 5 });
    await withRetry(send.send, options);
    expect(delays).toEqual([200, 400, 800, 1600, 3200]);
  });

  it('keeps every wait within [0.5, 1] × base · 2^n with real jitter', async () => {
    const send = failing(...Array.from({ length: 5 }, () => httpError(502)));
    const { delays, options } = recorded({ baseMs: 100, maxMs: 100_000, retries: 5 });
    await withRetry(send.send, options);
    delays.forEach((delay, n) => {
      expect(delay).toBeGreaterThanOrEqual(0.5 * 100 * 2 ** n);
      expect(delay).toBeLessThanOrEqual(100 * 2 ** n);
    });
  });

  it('never waits longer than maxMs', async () => {
    const send = failing(...Array.from({ length: 5 }, () => httpError(429)));
    const { delays, options } = recorded({ baseMs: 1000, maxMs: 3000, random: () => 1, retries: 5 });
    await withRetry(send.send, options);
    expect(delays).toEqual([1000, 2000, 3000, 3000, 3000]);
    const low = recorded({ baseMs: 1000, maxMs: 3000, random: () => 0, retries: 5 });
    await withRetry(failing(...Array.from({ length: 4 }, () => httpError(429))).send, low.options);
    expect(low.delays).toEqual([500, 1000, 1500, 1500]);
  });

  it('gives up after the number of retries and throws the last error', async () => {
    const last = httpError(504);
    const send = failing(httpError(429), httpError(429), last, httpError(429));
    const { delays, options } = recorded({ retries: 2, random: () => 1 });
    await expect(withRetry(send.send, options)).rejects.toBe(last);
    expect(send.calls()).toBe(3);
    expect(delays).toHaveLength(2);
  });

  it('tries 4 times by default (3 retries): a reply within a turn must still answer in time', async () => {
    const send = failing(...Array.from({ length: 10 }, () => httpError(429)));
    const { options } = recorded();
    await expect(withRetry(send.send, options)).rejects.toThrow('HTTP 429');
    expect(send.calls()).toBe(4);
  });

  it("waits as long as Teams' Retry-After asks when that is longer than the back-off, up to maxMs", async () => {
    const throttled = (retryAfter: string) => Object.assign(httpError(429), { response: { headers: new Map([['retry-after', retryAfter]]) } });
    const { delays, options } = recorded({ baseMs: 400, maxMs: 8000, random: () => 1 });
    await withRetry(failing(throttled('2'), throttled('0'), throttled('60')).send, options);
    expect(delays).toEqual([2000, 800, 8000]);
  });

  it.each([
    ['400', httpError(400)],
    ['401', httpError(401)],
    ['403', httpError(403)],
    ['404', httpError(404)],
    ['500', httpError(500)],
    ['an error without a status', new Error('socket hang up')],
  ])('does not retry on %s', async (_name, error) => {
    const send = failing(error);
    const { delays, options } = recorded();
    await expect(withRetry(send.send, options)).rejects.toBe(error);
    expect(send.calls()).toBe(1);
    expect(delays).toEqual([]);
  });

  it('reads the status the way each HTTP client reports it', () => {
    expect(statusOf({ statusCode: 429 })).toBe(429);
    expect(statusOf({ status: 502 })).toBe(502);
    expect(statusOf({ response: { status: 412 } })).toBe(412);
    expect(statusOf(new Error('no status'))).toBeUndefined();
    expect(statusOf(undefined)).toBeUndefined();
  });
});

describe('Pacer: within Teams’ limits per conversation', () => {
  /** A clock that only moves when someone waits, or when the test lets time pass. */
  function fakeTime() {
    let now = 0;
    const waits: number[] = [];
    return {
      clock: () => now,
      wait: async (ms: number) => {
        waits.push(ms);
        now += ms;
      },
      pass: (ms: number) => void (now += ms),
      waits,
    };
  }

  /** When each of `n` sends that arrive together goes out (the clock stands still; each waits its own time). */
  async function burst(pacer: (wait: (ms: number) => Promise<void>) => Pacer, n: number, conversation = 'a'): Promise<number[]> {
    const sentAt: number[] = [];
    const p = pacer(async (ms) => void sentAt.push(ms));
    await Promise.all(Array.from({ length: n }, () => p.turn(conversation).then(() => undefined)));
    // A send that did not wait went out at 0.
    return [...Array(n - sentAt.length).fill(0), ...sentAt].sort((x, y) => x - y);
  }

  /** The most sends that fall in any window of this length (a window (t - ms, t], as Teams counts). */
  function busiest(sentAt: number[], windowMs: number): number {
    return Math.max(...sentAt.map((end) => sentAt.filter((t) => t > end - windowMs && t <= end).length));
  }

  it('spaces sends to the same conversation at least the gap apart, with a limit of one per gap', async () => {
    const time = fakeTime();
    const pacer = new Pacer([[1, 150]], time.clock, time.wait);
    const sentAt: number[] = [];
    for (let i = 0; i < 4; i++) {
      await pacer.turn('conversation-a');
      sentAt.push(time.clock());
    }
    expect(sentAt).toEqual([0, 150, 300, 450]);
  });

  it('lets a burst of 7 go out at once, then waits for room (7 a second, 8 in 2 seconds)', async () => {
    const sentAt = await burst((wait) => new Pacer(TEAMS_CONVERSATION_LIMITS, () => 0, wait), 10);
    expect(sentAt.slice(0, 7)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(sentAt[7]).toBe(1000);
    expect(sentAt[8]).toBeGreaterThanOrEqual(2000);
  });

  it('never sends more than 7 in a second, 8 in 2 seconds or 60 in 30 seconds to one conversation', async () => {
    const sentAt = await burst((wait) => new Pacer(TEAMS_CONVERSATION_LIMITS, () => 0, wait), 100);
    expect(busiest(sentAt, 1000)).toBeLessThanOrEqual(7);
    expect(busiest(sentAt, 2000)).toBeLessThanOrEqual(8);
    expect(busiest(sentAt, 30_000)).toBeLessThanOrEqual(60);
    expect(TEAMS_CONVERSATION_LIMITS).toEqual([
      [7, 1000],
      [8, 2000],
      [60, 30_000],
    ]);
  });

  it('does not delay a send to another conversation', async () => {
    const time = fakeTime();
    const pacer = new Pacer([[1, 150]], time.clock, time.wait);
    await pacer.turn('conversation-a');
    await pacer.turn('conversation-b');
    await pacer.turn('conversation-c');
    expect(time.waits).toEqual([]);
  });

  it('does not wait once the window has passed', async () => {
    const time = fakeTime();
    const pacer = new Pacer([[1, 150]], time.clock, time.wait);
    await pacer.turn('a');
    time.pass(200);
    await pacer.turn('a');
    time.pass(100);
    await pacer.turn('a');
    expect(time.waits).toEqual([50]);
  });
});

describe('TeamsLimitsMiddleware: a personal chat turn books its sends while it works', () => {
  /** A ledger that counts how often it is asked, and books as the one-process ledger does. */
  function countingLedger() {
    const inner = new MemoryPacingLedger();
    const asked = { one: 0, several: [] as number[], given: [] as number[][] };
    return {
      asked,
      ledger: {
        reserve: (...args: Parameters<MemoryPacingLedger['reserve']>) => {
          asked.one++;
          return inner.reserve(...args);
        },
        reserveSeveral: (...args: Parameters<MemoryPacingLedger['reserveSeveral']>) => {
          asked.several.push(args[3]);
          return inner.reserveSeveral(...args);
        },
        release: (conversationId: string, slots: number[]) => {
          asked.given.push(slots);
          return inner.release(conversationId, slots);
        },
      },
    };
  }

  /**
   * One turn through the middleware, with `sends` messages sent at once from within it; the clock stands still, so
   * each send's wait is when it went out.
   */
  async function turnWith(conversationType: string, sends: number, ledger: PacingLedger) {
    const sentAt: number[] = [];
    const pacer = new Pacer([[2, 1000]], () => 0, async (ms) => void sentAt.push(ms), ledger);
    const handlers: ((context: unknown, activities: unknown[], next: () => Promise<unknown>) => Promise<unknown>)[] = [];
    const context = {
      activity: { type: 'message', conversation: { id: 'chat-1', conversationType } },
      turnState: new Map<unknown, unknown>(),
      onSendActivities: (handler: (typeof handlers)[number]) => void handlers.push(handler),
      onUpdateActivity: () => undefined,
    };
    let sent = 0;
    await new TeamsLimitsMiddleware(pacer).onTurn(context, async () => {
      await Promise.all(Array.from({ length: sends }, () => handlers[0]!(context, [{}], async () => void sent++)));
    });
    expect(sent).toBe(sends);
    return [...Array(sends - sentAt.length).fill(0), ...sentAt].sort((a, b) => a - b);
  }

  it('books two sends in one call at the start of a message in a personal chat, and a third on its own', async () => {
    const { ledger, asked } = countingLedger();
    expect(await turnWith('personal', 2, ledger)).toEqual([0, 0]);
    expect(asked).toEqual({ one: 0, several: [2], given: [] });
    // The two booked ahead count: the next turn's sends wait for room as if they had been booked one by one.
    expect(await turnWith('personal', 3, ledger)).toEqual([1000, 1000, 2000]);
    expect(asked).toEqual({ one: 1, several: [2, 2], given: [] });
  });

  it('gives back what a turn booked and did not send, so the next turn is not held up by it', async () => {
    const { ledger, asked } = countingLedger();
    expect(await turnWith('personal', 1, ledger)).toEqual([0]);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(asked.given).toEqual([[0]]);
    // Limit 2 a second: one was sent, so one more goes at once (with the unused one still booked, none would).
    expect(await turnWith('personal', 3, ledger)).toEqual([0, 1000, 1000]);
  });

  it('books nothing ahead for a channel, where a command is answered once', async () => {
    const { ledger, asked } = countingLedger();
    await turnWith('channel', 1, ledger);
    expect(asked).toEqual({ one: 1, several: [], given: [] });
  });

  it('lets each send book its own when booking ahead failed, and meets the failure there', async () => {
    let failing = true;
    const inner = new MemoryPacingLedger();
    const ledger = {
      reserve: (...args: Parameters<MemoryPacingLedger['reserve']>) => (failing ? Promise.reject(new Error('database away')) : inner.reserve(...args)),
      reserveSeveral: () => Promise.reject(new Error('database away')),
      release: async () => undefined,
    };
    await expect(turnWith('personal', 1, ledger)).rejects.toThrow('database away');
    failing = false;
    expect(await turnWith('personal', 2, ledger)).toEqual([0, 0]);
  });
});
