/**
 * upload_mb_per_s of `npm run bench -- media-search`: UPLOADERS users upload distinct ~1 MB
 * images (images.ts) through `POST /v1/attachments`, each uploader with one request in flight at
 * a time. After one warm-up upload per uploader (sharp's first use loads its codecs), the rest
 * are timed: upload_mb_per_s = MB (10^6 bytes) of images answered 201 with a thumbnail / seconds
 * from the first timed request to the last answer.
 *
 * Reference, with no HTTP and no storage: sharp_mb_per_s, the host's own processImage (the
 * decode, orientation, metadata strip and thumbnail every upload pays for) run in this process
 * over the same images at the same concurrency, through the same image gate.
 */
import { processImage } from '../../host/attachments/image-processing.js';
import type { BenchHost, BenchUser } from '../support/bench-host.js';
import { cpuMeter } from '../support/cpu-meter.js';
import { log, mapLimit } from '../support/util.js';
import type { BenchImage } from './images.js';
import { rawHttp } from './raw-http.js';

export interface UploadFigures {
  mbPerS: number;
  accepted: number;
  refused: number;
}

export async function uploadPhase(
  host: BenchHost,
  uploaders: BenchUser[],
  images: BenchImage[],
): Promise<UploadFigures> {
  const http = rawHttp(host.url, uploaders.length);
  const upload = async (user: BenchUser, image: BenchImage) => {
    const res = await http.upload(`/v1/attachments?name=${image.name}`, user.token, image.bytes, image.mimeType);
    const ok = res.status === 201 && res.body?.hasThumbnail === true;
    if (!ok) log(`upload: ${image.name} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    return ok;
  };
  try {
    const warm = images.slice(0, uploaders.length);
    const timed = images.slice(uploaders.length);
    await Promise.all(warm.map((image, i) => upload(uploaders[i]!, image)));
    log(`upload: ${uploaders.length} uploaders × ${Math.ceil(timed.length / uploaders.length)} images of ~1 MB`);
    const meter = cpuMeter(host.child.pid, 'upload');
    let accepted = 0;
    let acceptedBytes = 0;
    const started = performance.now();
    await Promise.all(
      uploaders.map(async (user, u) => {
        for (let i = u; i < timed.length; i += uploaders.length) {
          const image = timed[i]!;
          if (await upload(user, image)) {
            accepted++;
            acceptedBytes += image.bytes.length;
          }
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    log(`upload: during the measured window: ${meter()}`);
    const mbPerS = acceptedBytes / 1e6 / seconds;
    log(
      `upload: ${accepted} of ${timed.length} accepted, ${(acceptedBytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s`,
    );
    return { mbPerS, accepted, refused: timed.length - accepted };
  } finally {
    http.close();
  }
}

/** sharp_mb_per_s: see the top of this file. */
export async function sharpReference(images: BenchImage[], concurrency: number): Promise<number> {
  const limits = { maxPixels: 40_000_000 };
  await processImage(images[0]!.bytes, images[0]!.mimeType, limits);
  const started = performance.now();
  await mapLimit(images, concurrency, (image) => processImage(image.bytes, image.mimeType, limits));
  const seconds = (performance.now() - started) / 1000;
  const mb = images.reduce((n, image) => n + image.bytes.length, 0) / 1e6;
  log(`sharp reference: ${images.length} images, ${mb.toFixed(1)} MB in ${seconds.toFixed(1)} s`);
  return mb / seconds;
}
