import { RelayKind } from '../../ports/outbox.port';

/** What /health says about the outbox relay. Times are ISO 8601; null until it happened once. */
export interface RelayStatus {
  kind: RelayKind;
  running: boolean;
  /** When the relay last handed events to the bus. */
  lastPublishedAt: string | null;
  /** From the last published record's write to its publish: how far behind the relay ran. */
  lastPublishLagMs: number | null;
  /** When the relay last looked for records (a poller); null for a trigger, which is called. */
  lastPolledAt: string | null;
  /** Reads or publishes that failed in a row (0 when the last one worked); no error text, /health is public. */
  consecutiveFailures: number;
}

/** The relay's running record: the relay core and the poller write it, /health reads it. */
export class RelayHealth {
  private state: RelayStatus;

  constructor(
    kind: RelayKind,
    private readonly now: () => number = Date.now,
  ) {
    this.state = {
      kind,
      running: false,
      lastPublishedAt: null,
      lastPublishLagMs: null,
      lastPolledAt: null,
      consecutiveFailures: 0,
    };
  }

  status(): RelayStatus {
    return { ...this.state };
  }

  setRunning(running: boolean): void {
    this.state.running = running;
  }

  polled(): void {
    this.state.lastPolledAt = new Date(this.now()).toISOString();
  }

  /** `recordTime` is the activityDateTime of the last record published. */
  published(recordTime: string): void {
    const at = this.now();
    this.state.lastPublishedAt = new Date(at).toISOString();
    const written = Date.parse(recordTime);
    this.state.lastPublishLagMs = Number.isNaN(written) ? null : Math.max(0, at - written);
    this.state.consecutiveFailures = 0;
  }

  succeeded(): void {
    this.state.consecutiveFailures = 0;
  }

  failed(): void {
    this.state.consecutiveFailures += 1;
  }
}

/*
 * The relay runs beside the HTTP functions, not inside them: the local runtime (or the Azure trigger)
 * registers its health here, keyed by the app it publishes for, and /health looks it up. A WeakMap,
 * so an app that is closed and dropped (tests start many) takes its entry with it.
 */
const byApp = new WeakMap<object, RelayHealth>();
let processDefault: RelayHealth | undefined;

/** The relay publishing for `app` (the local runtime's poller). */
export function registerRelayHealth(app: object, health: RelayHealth): void {
  byApp.set(app, health);
}

/** The relay of the whole process when it is not tied to one app (the Azure change-feed trigger). */
export function registerProcessRelayHealth(health: RelayHealth): void {
  processDefault = health;
}

/** The relay's health for `app`, if a relay runs in this process. */
export function relayHealthOf(app: object): RelayHealth | undefined {
  return byApp.get(app) ?? processDefault;
}
