/**
 * A write gate for a proxy in front of a primary: it frames the client's RESP commands and, while closed,
 * swaps each write for a script that makes the server itself answer an error, so that replies keep their
 * order however deeply the client pipelines. A durable group's primary rejects writes this way while its
 * log is behind (local/elasticache/durability.ts).
 */

/** Commands that change data (what a durable primary rejects); reads and connection commands pass. */
const WRITES = new Set(
  'SET SETEX PSETEX SETNX GETSET GETDEL GETEX MSET MSETNX APPEND INCR INCRBY INCRBYFLOAT DECR DECRBY DEL UNLINK EXPIRE PEXPIRE EXPIREAT PEXPIREAT PERSIST RENAME RENAMENX HSET HSETNX HMSET HINCRBY HINCRBYFLOAT HDEL LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LSET LREM LTRIM LINSERT SADD SREM SPOP SMOVE ZADD ZINCRBY ZREM ZPOPMIN ZPOPMAX XADD XDEL XTRIM PFADD SETRANGE SETBIT COPY RESTORE'.split(
    ' ',
  ),
);

/** `EVAL <script> 0` whose reply is the error `message` (its first word is the error's code). */
export function errorReplyCommand(message: string): Buffer {
  const script = `return redis.error_reply(${JSON.stringify(message)})`;
  const arg = (s: string) => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
  return Buffer.from(`*3\r\n${arg('EVAL')}${arg(script)}${arg('0')}`);
}

/** Splits a client's byte stream into whole commands; each comes out as its bytes and its name. */
export class RespFramer {
  private buffer: Buffer = Buffer.alloc(0);

  /** The whole commands that `data` completes, in order; a partial one waits for more bytes. */
  push(data: Buffer): { bytes: Buffer; name: string }[] {
    this.buffer = this.buffer.length === 0 ? data : Buffer.concat([this.buffer, data]);
    const commands: { bytes: Buffer; name: string }[] = [];
    for (;;) {
      const parsed = this.next();
      if (!parsed) break;
      commands.push({ bytes: this.buffer.subarray(0, parsed.end), name: parsed.name });
      this.buffer = this.buffer.subarray(parsed.end);
    }
    return commands;
  }

  /** The next command's end and name, or undefined while it is incomplete. */
  private next(): { end: number; name: string } | undefined {
    const buf = this.buffer;
    const line = (from: number) => {
      const at = buf.indexOf('\r\n', from);
      return at < 0 ? undefined : { text: buf.toString('latin1', from, at), next: at + 2 };
    };
    const header = line(0);
    if (!header) return undefined;
    // An inline command: one line of words.
    if (!header.text.startsWith('*'))
      return { end: header.next, name: (header.text.trim().split(/\s+/)[0] ?? '').toUpperCase() };
    const count = Number(header.text.slice(1));
    let at = header.next;
    let name = '';
    for (let i = 0; i < count; i++) {
      const size = line(at);
      if (!size) return undefined;
      const length = Number(size.text.slice(1));
      const end = size.next + length + 2;
      if (end > buf.length) return undefined;
      if (i === 0) name = buf.toString('latin1', size.next, size.next + length).toUpperCase();
      at = end;
    }
    return { end: at, name };
  }
}

/** Whether a command changes data. */
export function isWrite(name: string): boolean {
  return WRITES.has(name);
}
