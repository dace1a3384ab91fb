// An LRU cache with per-entry TTL and tags. O(1) get/set: a Map keeps insertion order, and a hit
// moves its entry to the end, so the first key is always the least recently used. The clock is
// injected (milliseconds) so tests and Durable Objects control time.

export interface LruOptions {
  capacity?: number;
  /** TTL for entries set without one; default: no expiry */
  defaultTtlMs?: number;
  now?: () => number;
}

export interface SetOptions {
  ttlMs?: number;
  /** invalidateTag(tag) drops every entry carrying the tag (e.g. "host:app.example.com", "did:bpi:x") */
  tags?: readonly string[];
}

export interface LruStats {
  size: number;
  capacity: number;
  hits: number;
  misses: number;
  evictions: number;
  expired: number;
}

interface Entry<V> {
  value: V;
  expiresAt: number;
  tags: readonly string[];
}

export class LruCache<V> {
  readonly capacity: number;
  private readonly defaultTtlMs: number;
  private readonly now: () => number;
  private readonly map = new Map<string, Entry<V>>();
  private readonly byTag = new Map<string, Set<string>>();
  private hits = 0;
  private misses = 0;
  private evictions = 0;
  private expired = 0;

  constructor(opts: LruOptions = {}) {
    this.capacity = opts.capacity ?? 10_000;
    if (!Number.isSafeInteger(this.capacity) || this.capacity < 1) throw new RangeError("capacity must be a positive integer");
    this.defaultTtlMs = opts.defaultTtlMs ?? Infinity;
    this.now = opts.now ?? (() => Date.now());
  }

  get size(): number {
    return this.map.size;
  }

  get(key: string): V | undefined {
    const e = this.map.get(key);
    if (!e) {
      this.misses++;
      return undefined;
    }
    if (this.now() >= e.expiresAt) {
      this.remove(key, e);
      this.expired++;
      this.misses++;
      return undefined;
    }
    this.map.delete(key);
    this.map.set(key, e);
    this.hits++;
    return e.value;
  }

  /** Like get, without counting or refreshing recency. */
  peek(key: string): V | undefined {
    const e = this.map.get(key);
    return e && this.now() < e.expiresAt ? e.value : undefined;
  }

  has(key: string): boolean {
    return this.peek(key) !== undefined;
  }

  set(key: string, value: V, opts: SetOptions = {}): void {
    const ttl = opts.ttlMs ?? this.defaultTtlMs;
    if (!(ttl > 0)) throw new RangeError("ttlMs must be positive");
    const old = this.map.get(key);
    if (old) this.remove(key, old);
    const tags = [...new Set(opts.tags ?? [])];
    this.map.set(key, { value, expiresAt: this.now() + ttl, tags });
    for (const t of tags) {
      let s = this.byTag.get(t);
      if (!s) this.byTag.set(t, (s = new Set()));
      s.add(key);
    }
    while (this.map.size > this.capacity) {
      const [oldest, e] = this.map.entries().next().value as [string, Entry<V>];
      this.remove(oldest, e);
      this.evictions++;
    }
  }

  invalidate(key: string): boolean {
    const e = this.map.get(key);
    if (!e) return false;
    this.remove(key, e);
    return true;
  }

  /** Drops every key starting with prefix (O(n)); returns how many. */
  invalidatePrefix(prefix: string): number {
    let n = 0;
    for (const [k, e] of [...this.map]) if (k.startsWith(prefix)) {
      this.remove(k, e);
      n++;
    }
    return n;
  }

  /** Drops every entry set with this tag; returns how many. */
  invalidateTag(tag: string): number {
    const keys = this.byTag.get(tag);
    if (!keys) return 0;
    let n = 0;
    for (const k of [...keys]) {
      const e = this.map.get(k);
      if (e) {
        this.remove(k, e);
        n++;
      }
    }
    this.byTag.delete(tag);
    return n;
  }

  /** Drops every expired entry now (they are otherwise dropped lazily); returns how many. */
  prune(): number {
    const t = this.now();
    let n = 0;
    for (const [k, e] of [...this.map]) if (t >= e.expiresAt) {
      this.remove(k, e);
      n++;
    }
    this.expired += n;
    return n;
  }

  clear(): void {
    this.map.clear();
    this.byTag.clear();
  }

  stats(): LruStats {
    return { size: this.map.size, capacity: this.capacity, hits: this.hits, misses: this.misses, evictions: this.evictions, expired: this.expired };
  }

  private remove(key: string, e: Entry<V>): void {
    this.map.delete(key);
    for (const t of e.tags) {
      const s = this.byTag.get(t);
      if (s) {
        s.delete(key);
        if (s.size === 0) this.byTag.delete(t);
      }
    }
  }
}
