import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { AppError, validationError } from './errors.ts';

/**
 * Reads the one file (multipart field `file`) of an upload into memory,
 * bounded by `maxBytes`: 415 when the body is not multipart, 400 when the
 * field is missing or unreadable, 413 past the limit. `what` names the file
 * in those messages ("image", "file").
 */
export async function readUpload(request: FastifyRequest, maxBytes: number, what: string): Promise<Buffer> {
  const tooLarge = () =>
    new AppError(
      413,
      'PAYLOAD_TOO_LARGE',
      `The ${what} is larger than ${Math.floor(maxBytes / 1024 / 1024)} MB`,
      {
        field: 'file',
      },
    );
  if (!request.isMultipart()) {
    throw new AppError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `Send the ${what} as multipart/form-data, field "file"`,
      {
        field: 'file',
      },
    );
  }
  let file: MultipartFile | undefined;
  try {
    file = await request.file();
  } catch (error) {
    throw validationError(`The multipart body could not be read: ${(error as Error).message}`, 'file');
  }
  if (!file) throw validationError(`A multipart field "file" with the ${what} is required`, 'file');
  try {
    const body = await file.toBuffer();
    if (file.file.truncated) throw tooLarge();
    return body;
  } catch (error) {
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge();
    throw error;
  }
}
