/** What the local stack started, stopped in reverse order (each part pushes its own stop). */
export class Stoppers {
  private readonly stoppers: (() => Promise<void>)[] = [];
  private readonly log: (msg: string) => void;

  constructor(log: (msg: string) => void) {
    this.log = log;
  }

  push(stop: () => Promise<void>): void {
    this.stoppers.push(stop);
  }

  /** Stops everything started so far, last first; a failing stop is logged, not thrown. */
  readonly stopAll = async (): Promise<void> => {
    for (const stop of this.stoppers.reverse()) {
      try {
        await stop();
      } catch (err) {
        this.log(`while stopping: ${(err as Error).message}`);
      }
    }
    this.stoppers.length = 0;
  };
}
