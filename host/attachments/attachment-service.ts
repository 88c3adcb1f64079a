import { randomUUID } from 'node:crypto';
import { inject, injectable } from 'tsyringe';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { AttachmentView } from '../../sdk/protocol/attachments.js';
import { Tokens } from '../core/container-tokens.js';
import type { Clock } from '../core/clock.js';
import { isoTime } from '../core/iso-time.js';
import type { HostConfig } from '../config/host-config.js';
import type { Database } from '../db/open-database.js';
import { BlobStoreToken, type BlobStore } from './blob-store.js';
import { BlobRegistry } from './blob-registry.js';
import { stageBlob, type StagedBlob } from './blob-store.js';
import { assertAllowedType, assertDeclaredType, sniffHead, TextCheck } from './content-type.js';
import { FileRowCache } from './file-row-cache.js';
import { FileUrls, type FileVariant } from './file-urls.js';
import { isProcessedImage, processImage } from './image-processing.js';
import { toWireAttachment, type AttachmentRow } from './attachment-row.js';
import { uploadName } from './upload-name.js';
import { bytesSource, UploadBody, type UploadSource } from './upload-body.js';
import { quotaExceeded, UploadQuota } from './upload-quota.js';

export interface NewUpload {
  bytes: Uint8Array;
  /** The file name the client gave (never used to decide the type). */
  name: string;
  /** The request's Content-Type: a claim checked against the content. */
  declaredType?: string;
  /** Where that claim is, for a refusal's details (the Content-Type header unless given). */
  declaredTypePath?: string;
}

/** An upload read as it arrives (an HTTP body): see `uploadStream`. */
export interface NewStreamedUpload extends Omit<NewUpload, 'bytes'> {
  source: UploadSource;
}

/**
 * What sniffing reads before deciding: file-type looks at the first 4100 bytes; the margin covers
 * containers whose telling entry comes a little later (a zip's first file names an Office type, a
 * WebM's or MP4's tracks say whether it is audio). Exactly these, however the body arrived in pieces.
 */
const SNIFF_BYTES = 64 * 1024;

/** The bytes behind a file URL, with what the response needs to describe them. */
export interface StoredFile {
  row: AttachmentRow;
  hash: string;
  mimeType: string;
  size: number;
}

/**
 * Uploads, who may see them, and their bytes. The HTTP routes and the apps' capability both come
 * here, so one set of rules (type from content, quota, access by membership) covers every way in.
 */
@injectable()
export class AttachmentService {
  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.Config) private readonly config: HostConfig,
    @inject(Tokens.Clock) private readonly clock: Clock,
    @inject(BlobStoreToken) private readonly store: BlobStore,
    @inject(BlobRegistry) private readonly blobs: BlobRegistry,
    @inject(FileUrls) private readonly urls: FileUrls,
    @inject(UploadQuota) private readonly quota: UploadQuota,
    @inject(FileRowCache) private readonly fileRows: FileRowCache,
  ) {}

  /** Stores an upload already in memory (the apps' capability): as `uploadStream`. */
  upload(ownerId: string, input: NewUpload): Promise<AttachmentView> {
    const { bytes, ...rest } = input;
    return this.uploadStream(ownerId, { ...rest, source: bytesSource(bytes) });
  }

  /**
   * Stores an upload for `ownerId` and returns it, unsent. The type is sniffed from the first
   * bytes; images lose their metadata, get their orientation applied and a thumbnail
   * (processImage), so they are read whole first. Any other file goes to the blob store as it
   * arrives, hashed on the way, and only what is complete is ever stored. Its bytes are held
   * against the quota (a reservation) from before they are read until its row replaces them.
   */
  async uploadStream(ownerId: string, input: NewStreamedUpload): Promise<AttachmentView> {
    const limits = this.config.attachments;
    const { declaredSize } = input.source;
    if (declaredSize !== null && declaredSize > limits.maxBytes) throw tooLarge(limits.maxBytes);
    const name = uploadName(input.name);
    const body = new UploadBody(input.source, limits.maxBytes, () => tooLarge(limits.maxBytes));
    // Reserved before a byte is read: an upload past the quota is refused unread.
    const reservation = await this.quota.reserve(ownerId, declaredSize ?? limits.maxBytes, declaredSize === null);
    let staged: StagedBlob | null = null;
    try {
      body.limitTo(reservation.bytes, () =>
        quotaExceeded(body.received, limits.quotaBytes, limits.quotaBytes - reservation.bytes),
      );
      const text = new TextCheck();
      const head = await body.head(SNIFF_BYTES);
      text.feed(head);
      const sniffed = await sniffHead(head.subarray(0, SNIFF_BYTES), text);
      const checkType = (type: string) => {
        assertDeclaredType(input.declaredType, type, input.declaredTypePath);
        assertAllowedType(limits.allowedTypes, type);
      };
      checkType(sniffed);
      let row: AttachmentRow;
      if (isProcessedImage(sniffed)) {
        row = await this.storeImage(ownerId, name, sniffed, await body.all());
      } else {
        staged = await stageBlob(this.store, checkedText(body.rest(), text, sniffed));
        const type = sniffed === 'text/plain' && !text.end() ? 'application/octet-stream' : sniffed;
        if (type !== sniffed) checkType(type);
        const hash = await this.blobs.storeStaged(staged);
        row = this.newRow(ownerId, name, { mimeType: type, size: staged.size, width: null, height: null, hash });
      }
      await this.quota.commit(reservation, row);
      return this.view(row);
    } catch (err) {
      // Published bytes (a failed commit) stay for the sweep: another upload may share them. A
      // cleanup that fails too is left to the sweep and the reservation's expiry; `err` is the news.
      await Promise.allSettled([staged?.discard(), this.quota.release(reservation)]);
      throw err;
    }
  }

  private async storeImage(ownerId: string, name: string, sniffed: string, bytes: Buffer): Promise<AttachmentRow> {
    const image = await processImage(bytes, sniffed, { maxPixels: this.config.attachments.maxImagePixels });
    const [hash, thumbHash] = await this.blobs.store([image.bytes, image.thumbnail.bytes]);
    return this.newRow(
      ownerId,
      name,
      { mimeType: image.mimeType, size: image.bytes.byteLength, width: image.width, height: image.height, hash: hash! },
      { hash: thumbHash!, mimeType: image.thumbnail.mimeType },
    );
  }

  private newRow(
    ownerId: string,
    name: string,
    content: { mimeType: string; size: number; width: number | null; height: number | null; hash: string },
    thumbnail?: { hash: string; mimeType: string },
  ): AttachmentRow {
    return {
      id: randomUUID(),
      owner_id: ownerId,
      conversation_id: null,
      message_id: null,
      name,
      mime_type: content.mimeType,
      size: content.size,
      width: content.width,
      height: content.height,
      blob_hash: content.hash,
      thumb_hash: thumbnail?.hash ?? null,
      thumb_mime_type: thumbnail?.mimeType ?? null,
      created_at: this.clock.now(),
    };
  }

  /** The attachment as `userId` may see it (with fresh file URLs), or `attachment_not_found`. */
  async get(userId: string, id: string): Promise<AttachmentView> {
    return this.view(await this.visibleRow(userId, id));
  }

  /**
   * The row, if `userId` may see it: its owner while it is unsent, the members of its
   * conversation once sent. Anyone else is told it does not exist, as for an unknown id.
   */
  async visibleRow(userId: string, id: string): Promise<AttachmentRow> {
    const row = await this.row(id);
    if (!row) throw new SwitchboardError('attachment_not_found');
    if (row.message_id === null) {
      if (row.owner_id !== userId) throw new SwitchboardError('attachment_not_found');
      return row;
    }
    const member: unknown = await this.db
      .knex('members')
      .where({ conversation_id: row.conversation_id, user_id: userId })
      .first('user_id');
    if (!member) throw new SwitchboardError('attachment_not_found');
    return row;
  }

  /**
   * What a file URL (`/v1/files/:id?…`) serves, once its signature and expiry are checked, and how
   * many seconds it stays valid; the attachment must still exist (not swept, message not deleted).
   */
  async fileByUrl(
    id: string,
    query: Record<string, string | string[] | undefined>,
  ): Promise<{ file: StoredFile; secondsLeft: number }> {
    const { variant, secondsLeft } = await this.urls.verify(id, query);
    const row = await this.fileRows.get(id, () => this.row(id));
    return { file: await this.file(row, variant), secondsLeft };
  }

  /** A file's bytes, whole or `start`..`end` inclusive; null once they are gone. */
  bytes(file: StoredFile, range?: { start: number; end: number }): Promise<Buffer | null> {
    return range ? this.store.readRange(file.hash, range.start, range.end) : this.store.read(file.hash);
  }

  private row(id: string): Promise<AttachmentRow | undefined> {
    return this.db.knex('attachments').where({ id }).first<AttachmentRow | undefined>();
  }

  /** The bytes of an attachment's row (undefined once it is gone) that a file URL names. */
  private async file(row: AttachmentRow | undefined, variant: FileVariant): Promise<StoredFile> {
    const hash = variant === 'original' ? row?.blob_hash : row?.thumb_hash;
    if (!row || !hash) throw new SwitchboardError('attachment_not_found');
    const stat = await this.store.stat(hash);
    if (!stat) throw new SwitchboardError('attachment_not_found');
    const mimeType = variant === 'original' ? row.mime_type : row.thumb_mime_type!;
    return { row, hash, mimeType, size: stat.size };
  }

  /**
   * An attachment's bytes for a caller allowed to see it (the apps' capability), whole or the
   * part `range` names (clamped to the file); `size` is the whole file's.
   */
  async read(
    userId: string,
    id: string,
    variant: FileVariant = 'original',
    range?: { start: number; end: number },
  ): Promise<{ view: AttachmentView; bytes: Buffer; size: number }> {
    const row = await this.visibleRow(userId, id);
    const file = await this.file(row, variant);
    const clamped = range && { start: range.start, end: Math.min(range.end, file.size - 1) };
    const bytes = clamped && clamped.start > clamped.end ? Buffer.alloc(0) : await this.bytes(file, clamped);
    if (!bytes) throw new SwitchboardError('attachment_not_found');
    return { view: await this.view(row), bytes, size: file.size };
  }

  private async view(row: AttachmentRow): Promise<AttachmentView> {
    const original = await this.urls.sign(row.id, 'original');
    const thumbnail = row.thumb_hash ? await this.urls.sign(row.id, 'thumbnail') : null;
    return {
      ...toWireAttachment(row),
      conversationId: row.conversation_id,
      messageId: row.message_id,
      createdAt: isoTime(row.created_at),
      url: original.url,
      thumbnailUrl: thumbnail?.url ?? null,
      urlExpiresAt: isoTime(original.expiresAt),
    };
  }
}

/** The upload's pieces, each also fed to the text check while the type so far is text. */
async function* checkedText(
  chunks: AsyncIterable<Uint8Array>,
  text: TextCheck,
  sniffed: string,
): AsyncGenerator<Uint8Array> {
  let first = true;
  for await (const chunk of chunks) {
    // The head (the first piece) was fed already, when the type was sniffed.
    if (!first && sniffed === 'text/plain') text.feed(chunk);
    first = false;
    yield chunk;
  }
}

export function tooLarge(maxBytes: number): SwitchboardError {
  return new SwitchboardError('attachment_too_large', `An attachment may have at most ${maxBytes} bytes.`);
}
