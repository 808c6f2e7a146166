import { useEffect, useState } from "react";
import { useBackend } from "../backend/context";
import type { AttachmentContent } from "../bindings/AttachmentContent";
import { formatBytes } from "../format";
import { Dialog } from "./Dialog";
import { useCall } from "./useCall";

/** The bytes of a base64 string, or null when it is not base64. */
export function base64Bytes(b64: string): Uint8Array<ArrayBuffer> | null {
  try {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i += 1) bytes[i] = bin.charCodeAt(i);
    return bytes;
  } catch {
    return null;
  }
}

/** A Blob URL for the content's bytes, revoked when it changes or the viewer closes; null where unsupported. */
function useBlobUrl(content: AttachmentContent | null): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    const bytes = content?.base64 ? base64Bytes(content.base64) : null;
    if (!content || !bytes || typeof URL.createObjectURL !== "function") {
      setUrl(null);
      return;
    }
    const made = URL.createObjectURL(new Blob([bytes], { type: content.mediaType }));
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [content]);
  return url;
}

const PDF_FALLBACK = "This PDF cannot be shown here — use Save a copy";

function Preview({
  content,
  blobUrl,
  title,
}: {
  content: AttachmentContent;
  blobUrl: string | null;
  title: string;
}) {
  switch (content.viewer) {
    case "image":
      return content.base64 ? (
        <div className="rv-viewer-image">
          <img src={`data:${content.mediaType};base64,${content.base64}`} alt={title} />
        </div>
      ) : (
        <p className="muted">No preview for this type</p>
      );
    case "pdf":
      return blobUrl ? (
        <object className="rv-viewer-pdf" data={blobUrl} type="application/pdf" aria-label={title}>
          <p className="rv-viewer-fallback">{PDF_FALLBACK}</p>
        </object>
      ) : (
        <p className="rv-viewer-fallback" data-testid="pdf-fallback">
          {PDF_FALLBACK}
        </p>
      );
    case "text":
    case "rtf":
      return <pre className="rv-viewer-text">{content.text ?? ""}</pre>;
    default:
      return <p className="rv-viewer-fallback">No preview for this type</p>;
  }
}

/** An attachment opened from the Attachments section (`attachmentOpen` is audited by the core). */
export function AttachmentViewer({
  attachmentId,
  title,
  onClose,
}: {
  attachmentId: number;
  title: string;
  onClose: () => void;
}) {
  const backend = useBackend();
  const { value: content, error } = useCall(String(attachmentId), () => backend.attachmentOpen(attachmentId));
  const blobUrl = useBlobUrl(content);
  // Images and PDFs: the bytes as received. (Text is shown reduced, so it is not offered as a copy.)
  const saveHref = blobUrl ?? (content?.base64 ? `data:${content.mediaType};base64,${content.base64}` : null);
  return (
    <Dialog title={title} onClose={onClose} wide testId="attachment-viewer" initialFocus=".rv-close">
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {!content && !error && <p className="muted">Opening the attachment…</p>}
      {content && (
        <>
          <p className="muted rv-viewer-meta">
            <span className="rv-break">{content.fileName}</span> · {content.mediaType} ·{" "}
            {formatBytes(content.sizeBytes)}
            {saveHref && (
              <>
                {" · "}
                <a href={saveHref} download={content.fileName}>
                  Save a copy
                </a>
              </>
            )}
          </p>
          <div className="rv-viewer-body" data-viewer={content.viewer}>
            <Preview content={content} blobUrl={blobUrl} title={title} />
          </div>
        </>
      )}
    </Dialog>
  );
}
