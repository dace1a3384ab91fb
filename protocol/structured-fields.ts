// The part of RFC 8941 (Structured Field Values) that RFC 9421 and RFC 9530 headers need:
// dictionaries whose members are items or inner lists, with parameters.
import { fromBase64, toBase64 } from "./bytes.ts";

export class Token {
  constructor(readonly name: string) {}
}
export type BareItem = number | string | boolean | Uint8Array | Token;
export type Params = Map<string, BareItem>;
export interface Item { kind: "item"; value: BareItem; params: Params }
export interface InnerList { kind: "list"; items: Item[]; params: Params }
export type Member = Item | InnerList;

export class SfError extends Error {
  override name = "SfError";
}

const KEY_START = /[a-z*]/;
const KEY_CHAR = /[a-z0-9_\-.*]/;
const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z:/]/;

class Parser {
  i = 0;
  constructor(readonly s: string) {}
  peek(): string { return this.s[this.i] ?? ""; }
  fail(what: string): never { throw new SfError(`${what} at offset ${this.i}`); }
  spaces(): void { while (this.peek() === " ") this.i++; }
  ows(): void { while (this.peek() === " " || this.peek() === "\t") this.i++; }

  key(): string {
    if (!KEY_START.test(this.peek())) this.fail("expected a key");
    const start = this.i++;
    while (KEY_CHAR.test(this.peek())) this.i++;
    return this.s.slice(start, this.i);
  }

  bareItem(): BareItem {
    const c = this.peek();
    if (c === '"') return this.string();
    if (c === ":") return this.bytes();
    if (c === "?") {
      const v = this.s.slice(this.i, this.i + 2);
      if (v !== "?0" && v !== "?1") this.fail("bad boolean");
      this.i += 2;
      return v === "?1";
    }
    if (c === "-" || (c >= "0" && c <= "9")) return this.number();
    if (/[A-Za-z*]/.test(c)) {
      const start = this.i++;
      while (TOKEN_CHAR.test(this.peek())) this.i++;
      return new Token(this.s.slice(start, this.i));
    }
    return this.fail("expected an item");
  }

  string(): string {
    let out = "";
    for (this.i++; this.i < this.s.length; ) {
      const c = this.s[this.i++];
      if (c === '"') return out;
      if (c === "\\") {
        const n = this.s[this.i++];
        if (n !== '"' && n !== "\\") this.fail("bad escape in string");
        out += n;
      } else if (c < " " || c > "~") this.fail("non-printable character in string");
      else out += c;
    }
    return this.fail("unterminated string");
  }

  bytes(): Uint8Array {
    const end = this.s.indexOf(":", this.i + 1);
    if (end < 0) this.fail("unterminated byte sequence");
    const b64 = this.s.slice(this.i + 1, end);
    this.i = end + 1;
    try {
      return fromBase64(b64);
    } catch {
      return this.fail("bad base64 in byte sequence");
    }
  }

  number(): number {
    const m = /^-?(\d{1,15})(\.\d{1,3})?/.exec(this.s.slice(this.i));
    if (!m || (m[2] && m[1].length > 12)) this.fail("bad number");
    this.i += m![0].length;
    return Number(m![0]);
  }

  params(): Params {
    const params: Params = new Map();
    while (this.peek() === ";") {
      this.i++;
      this.spaces();
      const k = this.key();
      let v: BareItem = true;
      if (this.peek() === "=") {
        this.i++;
        v = this.bareItem();
      }
      params.set(k, v);
    }
    return params;
  }

  item(): Item {
    const value = this.bareItem();
    return { kind: "item", value, params: this.params() };
  }

  member(): Member {
    if (this.peek() !== "(") return this.item();
    this.i++;
    const items: Item[] = [];
    for (;;) {
      this.spaces();
      if (this.peek() === ")") {
        this.i++;
        return { kind: "list", items, params: this.params() };
      }
      items.push(this.item());
      const c = this.peek();
      if (c !== " " && c !== ")") this.fail("expected a space or ) in inner list");
    }
  }
}

export function parseDictionary(input: string): Map<string, Member> {
  const p = new Parser(input.trim());
  const out = new Map<string, Member>();
  if (p.s === "") return out;
  for (;;) {
    const key = p.key();
    let member: Member;
    if (p.peek() === "=") {
      p.i++;
      member = p.member();
    } else {
      member = { kind: "item", value: true, params: p.params() };
    }
    out.set(key, member);
    p.ows();
    if (p.i >= p.s.length) return out;
    if (p.peek() !== ",") p.fail("expected , between members");
    p.i++;
    p.ows();
    if (p.i >= p.s.length) p.fail("trailing comma");
  }
}

export function serializeBareItem(v: BareItem): string {
  if (typeof v === "string") {
    if (/[^\x20-\x7e]/.test(v)) throw new SfError("strings must be printable ASCII");
    return `"${v.replace(/[\\"]/g, (c) => "\\" + c)}"`;
  }
  if (typeof v === "boolean") return v ? "?1" : "?0";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new SfError("numbers must be finite");
    return Number.isInteger(v) ? String(v) : String(Math.round(v * 1000) / 1000);
  }
  if (v instanceof Token) return v.name;
  return `:${toBase64(v)}:`;
}

export function serializeParams(params: Params): string {
  let out = "";
  for (const [k, v] of params) out += v === true ? `;${k}` : `;${k}=${serializeBareItem(v)}`;
  return out;
}

export function serializeInnerList(list: Pick<InnerList, "items" | "params">): string {
  const items = list.items.map((it) => serializeBareItem(it.value) + serializeParams(it.params));
  return `(${items.join(" ")})${serializeParams(list.params)}`;
}
