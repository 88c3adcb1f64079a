import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { LocalError } from '../i18n/local-error';
import { recordingType, voiceFileName } from './voice-file';

/** A voice message stops here, and what was recorded is kept (attached, for the person to send). */
export const MAX_RECORDING_MS = 5 * 60 * 1000;

/** How often the elapsed time is read: often enough that the shown second never lags by much. */
const TICK_MS = 250;

export type RecorderPhase = 'idle' | 'starting' | 'recording';

/** What happens to a recording as it stops: sent now, kept attached, or thrown away. */
type Ending = 'send' | 'keep' | 'discard';

export interface VoiceRecorder {
  phase: RecorderPhase;
  /** Milliseconds recorded so far. */
  elapsedMs: number;
  /** Why recording could not start (a LocalError), or null. */
  error: unknown;
  start: () => void;
  /** Stops, and hands the recording over to be sent. */
  send: () => void;
  /** Stops, and throws the recording away. */
  cancel: () => void;
}

interface Session {
  stream: MediaStream | null;
  recorder: MediaRecorder | null;
  ending: Ending;
}

/**
 * Records a voice message from the microphone (getUserMedia, MediaRecorder): `onRecorded` gets the
 * file, and whether the person asked to send it (at MAX_RECORDING_MS it is kept without sending).
 * A refused or missing microphone is an error in words; leaving (unmounting) throws away what is
 * being recorded and lets the microphone go.
 */
export function useVoiceRecorder(onRecorded: (file: File, send: boolean) => void): VoiceRecorder {
  const [phase, setPhase] = useState<RecorderPhase>('idle');
  const [elapsedMs, setElapsed] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const session = useRef<Session | null>(null);
  const handOver = useRef(onRecorded);
  handOver.current = onRecorded;

  const finish = useCallback((ending: Ending) => {
    const current = session.current;
    if (!current) return;
    current.ending = ending;
    if (current.recorder && current.recorder.state !== 'inactive') current.recorder.stop();
    else release(current);
    session.current = null;
    setPhase('idle');
  }, []);

  const start = useCallback(() => {
    if (session.current) return;
    setError(null);
    // Browsers give the microphone only to secure pages (HTTPS, or this computer): say that, not "unsupported".
    if (!window.isSecureContext) {
      setError(new LocalError('voice.insecure'));
      return;
    }
    if (!navigator.mediaDevices?.getUserMedia || typeof MediaRecorder === 'undefined') {
      setError(new LocalError('voice.unsupported'));
      return;
    }
    const current: Session = { stream: null, recorder: null, ending: 'keep' };
    session.current = current;
    setElapsed(0);
    setPhase('starting');
    navigator.mediaDevices.getUserMedia({ audio: true }).then(
      (stream) => {
        current.stream = stream;
        // Cancelled while the browser asked for permission: let the microphone go at once.
        if (session.current !== current) return release(current);
        try {
          record(current, stream, (file) => handOver.current(file, current.ending === 'send'));
          // The browser may stop it itself (the microphone unplugged): what was recorded is kept.
          current.recorder?.addEventListener('stop', () => {
            if (session.current !== current) return;
            session.current = null;
            setPhase('idle');
          });
        } catch {
          // MediaRecorder refused this stream or every type it was offered.
          session.current = null;
          release(current);
          setPhase('idle');
          setError(new LocalError('voice.unsupported'));
          return;
        }
        setPhase('recording');
      },
      (failure: unknown) => {
        if (session.current !== current) return;
        session.current = null;
        setPhase('idle');
        setError(new LocalError(refusalKey(failure)));
      },
    );
  }, []);

  useEffect(() => {
    if (phase !== 'recording') return;
    const began = performance.now();
    const tick = setInterval(() => {
      const ms = performance.now() - began;
      setElapsed(ms);
      if (ms >= MAX_RECORDING_MS) finish('keep');
    }, TICK_MS);
    return () => clearInterval(tick);
  }, [phase, finish]);

  useEffect(() => () => finish('discard'), [finish]);

  return {
    phase,
    elapsedMs,
    error,
    start,
    send: useCallback(() => finish('send'), [finish]),
    cancel: useCallback(() => finish('discard'), [finish]),
  };
}

/** Starts recording `stream`; once stopped (unless discarded) the whole recording goes to `done`. */
function record(current: Session, stream: MediaStream, done: (file: File) => void): void {
  const type = recordingType();
  const recorder = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
  const chunks: Blob[] = [];
  recorder.ondataavailable = (e) => {
    if (e.data.size > 0) chunks.push(e.data);
  };
  recorder.onstop = () => {
    release(current);
    if (current.ending === 'discard' || chunks.length === 0) return;
    const fileType = recorder.mimeType || type || 'audio/webm';
    done(new File(chunks, voiceFileName(new Date(), fileType), { type: fileType }));
  };
  current.recorder = recorder;
  recorder.start();
}

/** Stops the microphone: the browser's recording indicator goes off. */
function release(current: Session): void {
  current.stream?.getTracks().forEach((track) => track.stop());
}

/** Why getUserMedia failed, as a catalog text: refused, no microphone, or the microphone busy. */
function refusalKey(failure: unknown): 'voice.denied' | 'voice.noMicrophone' | 'voice.unavailable' {
  const name = failure instanceof DOMException ? failure.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'voice.denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'voice.noMicrophone';
  return 'voice.unavailable';
}
