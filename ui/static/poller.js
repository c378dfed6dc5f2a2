// Polling with backoff: 2 s, doubling up to 30 s while nothing changes, back to 2 s when something
// does; nothing while the tab is hidden (one poll at once when it shows again); one request at a time.

export const MIN_DELAY_MS = 2000;
export const MAX_DELAY_MS = 30000;

export class Poller {
  /** ``task`` resolves to true when what it read changed since the last time. */
  constructor(task, { min = MIN_DELAY_MS, max = MAX_DELAY_MS } = {}) {
    this.task = task;
    this.min = min;
    this.max = max;
    this.delay = min;
    this.timer = null;
    this.running = false;
    this.stopped = true;
    this.onVisibility = () => {
      if (document.hidden) this.clear();
      else if (!this.stopped) this.now();
    };
  }

  start() {
    this.stopped = false;
    document.addEventListener("visibilitychange", this.onVisibility);
    this.now();
    return this;
  }

  stop() {
    this.stopped = true;
    this.clear();
    document.removeEventListener("visibilitychange", this.onVisibility);
  }

  clear() {
    if (this.timer !== null) window.clearTimeout(this.timer);
    this.timer = null;
  }

  /** Poll at once (after an action, or when the tab shows again), then go on from the minimum. */
  now() {
    this.delay = this.min;
    this.clear();
    if (!this.running) this.tick();
  }

  async tick() {
    if (this.stopped || document.hidden) return;
    this.running = true;
    let changed = false;
    try {
      changed = await this.task();
    } catch (error) {
      changed = false;   // the task shows its own error; polling goes on, slower
    } finally {
      this.running = false;
    }
    if (this.stopped || document.hidden) return;
    this.delay = changed ? this.min : Math.min(this.delay * 2, this.max);
    this.timer = window.setTimeout(() => this.tick(), this.delay);
  }
}
