/** The write gate's framing alone: whole commands out of any split of the byte stream, writes told apart. */
import { describe, expect, it } from 'vitest';
import { errorReplyCommand, isWrite, RespFramer } from './write-gate.js';

const command = (...args: string[]) =>
  `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;

describe('RespFramer', () => {
  it('frames pipelined commands split at every byte, and inline ones', () => {
    // Prepare
    const stream = `${command('SET', 'k:1', 'v\r\nx', 'EX', '60')}${command('GET', 'k:1')}PING\r\n`;
    const framer = new RespFramer();

    // Act: one byte at a time
    const framed = [...stream].flatMap((ch) => framer.push(Buffer.from(ch, 'latin1')));

    // Assess
    expect(framed.map((c) => c.name)).toEqual(['SET', 'GET', 'PING']);
    expect(framed.map((c) => c.bytes.toString('latin1')).join('')).toBe(stream);
    expect(framed.map((c) => isWrite(c.name))).toEqual([true, false, false]);
  });

  it('makes the error reply an EVAL of one script', () => {
    // Act
    const [framed] = new RespFramer().push(errorReplyCommand('CLUSTERDOWN busy'));

    // Assess
    expect(framed?.name).toBe('EVAL');
  });
});
