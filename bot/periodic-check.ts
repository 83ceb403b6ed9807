/**
 * A check the bot runs at start-up and then every interval (evaluation reminders, SPOED escalation, idle cases):
 * never two of the same check at once in this process, and stop() waits for the one running. Whether two instances
 * may both run it is each check's own business (their jobs have keys, their marks are written under the store's lock).
 */
export abstract class PeriodicCheck {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  protected constructor(private readonly intervalMs: number) {}

  start(): void {
    void this.check();
    this.timer = setInterval(() => void this.check(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Runs the check now (or joins the one running); returns how many aanmeldingen it acted on. */
  check(): Promise<number> {
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  protected abstract run(): Promise<number>;
}
