import { useEffect, useState } from 'preact/hooks';
import { MAX_FILES, type StagedUploads } from '../attachments/use-staged-uploads';
import { useVoiceRecorder, type VoiceRecorder } from '../attachments/use-voice-recorder';

export interface VoiceMessage {
  recorder: VoiceRecorder;
  /** Recording can start: nothing being recorded, and room for one more file. */
  canRecord: boolean;
  /** The last recording reached the maximum length: it was attached, not sent. */
  atLimit: boolean;
}

/**
 * A voice message in the composer: the recording becomes a staged file (the same upload, progress
 * and refusals as any file), and "Stop and send" sends the message once it has uploaded, as the
 * Send button would, with whatever else the composer holds. `send` is that button's action; an
 * upload the host refused is not sent but stays, with its reason, to be removed.
 */
export function useVoiceMessage(staged: StagedUploads, send: () => void): VoiceMessage {
  const [sendWhenUploaded, setSendWhenUploaded] = useState(false);
  const [atLimit, setAtLimit] = useState(false);
  const recorder = useVoiceRecorder((file, sendNow) => {
    staged.add([file]);
    setSendWhenUploaded(sendNow);
    setAtLimit(!sendNow);
  });

  useEffect(() => {
    if (!sendWhenUploaded || staged.busy) return;
    setSendWhenUploaded(false);
    if (staged.ready) send();
  }, [sendWhenUploaded, staged.busy, staged.ready]);

  const nothingStaged = staged.files.length === 0;
  useEffect(() => {
    if (nothingStaged) setAtLimit(false);
  }, [nothingStaged]);

  return {
    recorder,
    canRecord: recorder.phase === 'idle' && staged.files.length < MAX_FILES,
    atLimit,
  };
}
