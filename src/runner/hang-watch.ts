import type { GuestSession } from '../guest/protocol/session.ts';

/** Seconds between the agent's `alive` frames that a repetition asks for. */
export const ALIVE_EVERY_S = 10;

/**
 * How many heartbeat periods of silence make a guest hung. Generous: a frame can queue behind
 * a step's output on a slow console, and a busy host can hold a vCPU back for seconds; a
 * guest that misses six in a row has stopped running its agent (a hung kernel, a stuck vCPU).
 */
export const HUNG_AFTER_PERIODS = 6;

/**
 * Watches a guest that promised a heartbeat (`ready … alive=N`): once it has been silent for
 * HUNG_AFTER_PERIODS periods before its `done`, calls `onHang` once with the seconds of
 * silence. A guest without the promise (native, older agents) is never judged. Returns the
 * function that stops watching. Silence is measured from the last new frame seen at the
 * watcher's one-second ticks.
 */
export function watchHeartbeat(session: GuestSession, onHang: (silentS: number) => void, now: () => number = Date.now): () => void {
  let fired = false;
  let seen = session.frames;
  let lastNews = now();
  const timer = setInterval(() => {
    if (session.frames !== seen) {
      seen = session.frames;
      lastNews = now();
    }
    const every = session.aliveEveryS;
    if (fired || every === undefined || session.done) return;
    const silentMs = now() - lastNews;
    if (silentMs < HUNG_AFTER_PERIODS * every * 1000) return;
    fired = true;
    onHang(Math.round(silentMs / 1000));
  }, 1000);
  timer.unref();
  return () => clearInterval(timer);
}
