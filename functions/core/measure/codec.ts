/**
 * Compact, JSON-safe encodings for the writer's summary: unsigned/zigzag varints, deflated and
 * base64-encoded. A million-write history must fit far below the Step Functions payload limit.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';

/** Appends unsigned integers as LEB128 varints into a growable byte buffer. */
export class VarintWriter {
  private bytes = new Uint8Array(1024);
  private length = 0;

  uint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new RangeError(`varint needs a safe uint, got ${value}`);
    this.reserve(8);
    let rest = value;
    while (rest >= 0x80) {
      this.bytes[this.length++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.bytes[this.length++] = rest;
  }

  /** Signed integers, zigzag-mapped so that small negatives stay small. */
  int(value: number): void {
    this.uint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  /** Deflated and base64-encoded. */
  encode(): string {
    return deflateRawSync(this.bytes.subarray(0, this.length), { level: 9 }).toString('base64');
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }
}

export class VarintReader {
  private offset = 0;
  private readonly bytes: Uint8Array;

  constructor(encoded: string) {
    this.bytes = inflateRawSync(Buffer.from(encoded, 'base64'));
  }

  get done(): boolean {
    return this.offset >= this.bytes.length;
  }

  uint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = this.bytes[this.offset++];
      if (byte === undefined) throw new RangeError('truncated varint');
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
  }

  int(): number {
    const raw = this.uint();
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  }
}
