// The upload controls shared by the portfolio and a client gallery: the drop zone with
// its file picker, and the list of files with their progress and state.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { batchProgress, filePercent, type UploadState } from './upload';

/** A drop target that is also a labelled file picker (the keyboard's way in). */
export function DropZone({ id, onFiles, children }: { id: string; onFiles: (files: File[]) => void; children?: ComponentChildren }) {
  const [dragging, setDragging] = useState(false);
  return (
    <div
      class={`dropzone${dragging ? ' dragging' : ''}`}
      onDragOver={(e) => { e.preventDefault(); setDragging(true); }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        if (e.dataTransfer?.files?.length) onFiles(Array.from(e.dataTransfer.files));
      }}
    >
      {children ?? <p>Drop JPEG, PNG or WebP photos here (25 MB at most each), or</p>}
      <label class="button secondary" for={id}>Choose photos</label>
      <input id={id} class="visually-hidden-file" type="file" multiple accept="image/jpeg,image/png,image/webp"
        onChange={(e) => {
          const f = e.currentTarget.files;
          if (f?.length) onFiles(Array.from(f));
          e.currentTarget.value = '';
        }} />
    </div>
  );
}

const PHASE_TEXT: Record<UploadState['phase'], string> = {
  waiting: 'Waiting', asking: 'Preparing', uploading: 'Uploading', processing: 'Processing', ready: 'Ready',
  rejected: 'Refused', failed: 'Failed',
};

/** The batch's progress, then each file's: its bar, its state and why it failed. */
export function UploadList({ id, uploads, readyText = PHASE_TEXT.ready }: { id: string; uploads: readonly UploadState[]; readyText?: string }) {
  if (uploads.length === 0) return null;
  const batch = batchProgress(uploads);
  const text = (p: UploadState['phase']) => (p === 'ready' ? readyText : PHASE_TEXT[p]);
  return (
    <div class="uploads">
      <p>
        <label for={id}>All uploads</label>{' '}
        <progress id={id} max={100} value={batch.percent}>{batch.percent} %</progress>{' '}
        <span class="muted">{batch.done} of {batch.count} done</span>
      </p>
      <ul class="upload-list">
        {uploads.map((u) => (
          <li key={u.key} data-phase={u.phase}>
            <span class="upload-name">{u.name}</span>
            <progress max={100} value={filePercent(u)} aria-label={`${u.name}: ${text(u.phase)}`} />
            <span class={`status status-${u.phase}`}>{text(u.phase)}{u.phase === 'uploading' ? ` ${filePercent(u)} %` : ''}</span>
            {u.message && <p class={u.phase === 'failed' || u.phase === 'rejected' ? 'field-error' : 'muted'}>{u.message}</p>}
          </li>
        ))}
      </ul>
    </div>
  );
}
