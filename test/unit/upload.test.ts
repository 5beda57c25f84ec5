import { describe, expect, it } from 'vitest';
import { checkLogo, LOGO_MAX_BYTES, sniffLogo } from '../../src/kernel/ui/brand/logo.ts';
import { boundaryOf, isUploadedFile, MultipartError, parseMultipart } from '../../src/kernel/http/multipart.ts';
import { BOUNDARY, JPEG, multipartBody, PNG, pngOfSize, SVG } from '../helpers/upload.ts';

const TYPE = `multipart/form-data; boundary=${BOUNDARY}`;

describe('multipart/form-data reader', () => {
  it('reads fields and a file as browsers send them, binary content intact', () => {
    // Content holding CRLFs and a near-boundary must come back byte for byte.
    const data = Buffer.concat([PNG, Buffer.from(`\r\n--${BOUNDARY.slice(0, -1)}\r\n`), Buffer.from([0, 255, 13, 10])]);
    const body = parseMultipart(
      TYPE,
      multipartBody([
        { name: '_csrf', value: 'tok' },
        { name: 'logo', filename: 'clinic logo.png', type: 'image/png', data },
      ]),
    );
    expect(body._csrf).toBe('tok');
    const logo = body.logo;
    expect(isUploadedFile(logo)).toBe(true);
    if (!isUploadedFile(logo)) return;
    expect(logo.data.equals(data)).toBe(true);
    expect(logo.declaredType).toBe('image/png');
  });

  it('accepts a quoted boundary, a preamble and an epilogue; keeps the first part of a name; gives names no prototype', () => {
    const raw = Buffer.concat([
      Buffer.from('ignored preamble\r\n'),
      multipartBody(
        [
          { name: 'a', value: '1' },
          { name: 'a', value: '2' },
          { name: '__proto__', value: 'x' },
        ],
        'b q',
      ),
      Buffer.from('epilogue'),
    ]);
    const body = parseMultipart('multipart/form-data; charset=utf-8; boundary="b q"', raw);
    expect(body.a).toBe('1');
    expect(Object.getPrototypeOf(body)).toBeNull();
    expect(body['__proto__']).toBe('x');
  });

  it('reads an empty file input (no file chosen) as an empty file', () => {
    const body = parseMultipart(
      TYPE,
      multipartBody([{ name: 'logo', filename: '', type: 'application/octet-stream', data: Buffer.alloc(0) }]),
    );
    expect(isUploadedFile(body.logo) && body.logo.data.length).toBe(0);
  });

  it('refuses what it cannot read for certain', () => {
    const ok = multipartBody([{ name: 'a', value: '1' }]);
    const refused = (type: string | undefined, body: Buffer) =>
      expect(() => parseMultipart(type, body)).toThrow(MultipartError);
    refused(undefined, ok);
    refused('multipart/form-data', ok); // no boundary
    refused(`multipart/form-data; boundary=${'x'.repeat(71)}`, ok);
    refused('multipart/form-data; boundary=other', ok); // no delimiter found
    refused(TYPE, ok.subarray(0, ok.length - 8)); // unterminated
    refused(
      TYPE,
      Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: attachment; name="a"\r\n\r\nx\r\n--${BOUNDARY}--`),
    );
    refused(TYPE, Buffer.from(`--${BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nx\r\n--${BOUNDARY}--`)); // no name
    refused(
      TYPE,
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n${'X-Pad: y\r\n'.repeat(300)}\r\nx\r\n--${BOUNDARY}--`,
      ),
    );
    refused(TYPE, multipartBody(Array.from({ length: 9 }, (_, i) => ({ name: `f${i}`, value: 'v' }))));
    refused(TYPE, multipartBody([{ name: 'a', value: 'v'.repeat(1025) }]));
    expect(boundaryOf(`multipart/form-data; boundary=${'x'.repeat(70)}`)).toHaveLength(70);
  });
});

describe('logo check', () => {
  it('knows PNG and JPEG by their first bytes, whatever the name or declared type', () => {
    expect(sniffLogo(PNG)).toBe('image/png');
    expect(sniffLogo(JPEG)).toBe('image/jpeg');
    for (const other of [
      SVG,
      Buffer.from('GIF89a\x01\x00\x01\x00'),
      Buffer.from('%PDF-1.7'),
      PNG.subarray(0, 8),
      Buffer.from('\x89PNG fake'),
      Buffer.from([0xff, 0xd8]),
    ]) {
      expect(sniffLogo(other)).toBeUndefined();
    }
  });

  it('takes up to 200 KB exactly, and names the size of a larger file', () => {
    expect(checkLogo(pngOfSize(LOGO_MAX_BYTES))).toMatchObject({ ok: true, type: 'image/png' });
    expect(checkLogo(pngOfSize(LOGO_MAX_BYTES + 1))).toEqual({
      ok: false,
      message: 'This file is 201 KB; the logo can be at most 200 KB. Save it smaller or with fewer colors.',
    });
    expect(checkLogo(undefined)).toEqual({ ok: false, message: 'Choose a PNG or JPEG file to upload.' });
    expect(checkLogo(Buffer.alloc(0))).toEqual({ ok: false, message: 'Choose a PNG or JPEG file to upload.' });
    expect(checkLogo(SVG)).toMatchObject({ ok: false, message: expect.stringContaining('including SVG') });
  });
});
