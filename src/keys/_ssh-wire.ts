/**
 * Owns: reading and writing the SSH wire encoding (RFC 4251 §5: uint32, string, mpint) used by public keys
 * and by the openssh-key-v1 private key format. Private to src/keys.
 */

/** Sequential reader over SSH wire bytes; every read checks bounds and throws a plain Error when short. */
export class WireReader {
  readonly bytes: Uint8Array;
  pos = 0;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  uint32(): number {
    if (this.remaining < 4) throw new Error("truncated SSH data");
    const b = this.bytes;
    const v = ((b[this.pos]! << 24) | (b[this.pos + 1]! << 16) | (b[this.pos + 2]! << 8) | b[this.pos + 3]!) >>> 0;
    this.pos += 4;
    return v;
  }

  raw(n: number): Uint8Array {
    if (n > this.remaining) throw new Error("truncated SSH data");
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  string(): Uint8Array {
    return this.raw(this.uint32());
  }

  text(): string {
    return new TextDecoder("utf-8", { fatal: false }).decode(this.string());
  }

  /** An mpint as unsigned big-endian bytes without leading zeros (negative values are refused). */
  mpint(): Uint8Array {
    const s = this.string();
    if (s.length > 0 && (s[0]! & 0x80) !== 0) throw new Error("negative SSH mpint");
    let i = 0;
    while (i < s.length && s[i] === 0) i++;
    return s.subarray(i);
  }
}

function u32(n: number): Uint8Array {
  return new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

/** An SSH `string`: uint32 length, then the bytes. */
export function wireString(v: Uint8Array | string): Uint8Array {
  const b = typeof v === "string" ? new TextEncoder().encode(v) : v;
  return concat(u32(b.length), b);
}

/** An SSH `mpint` from unsigned big-endian bytes: minimal, with a 0 byte when the top bit is set. */
export function wireMpint(unsigned: Uint8Array): Uint8Array {
  let i = 0;
  while (i < unsigned.length && unsigned[i] === 0) i++;
  const v = unsigned.subarray(i);
  const body = v.length > 0 && (v[0]! & 0x80) !== 0 ? concat(new Uint8Array([0]), v) : v;
  return wireString(body);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
