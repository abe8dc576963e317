import { SIGNAL_STRENGTH, SIGNAL_TYPES, type SignalType } from '@ostracon/identity';

/** One live order as the index needs it: who it names and when it may match. */
export interface IndexedOrder {
  id: string;
  /** Epoch ms: matches from here… */
  startsAt: number;
  /** …until here, excluded (the order's end, or its revocation). */
  endsAt: number;
  platforms: readonly string[];
}

/** One stored signal: its HMAC digest (32 bytes) under the pepper named by `keyId`. */
export interface IndexedSignal {
  type: SignalType;
  keyId: string;
  digest: Uint8Array;
  /** Matched on these platforms only, not every platform of its order (a linked account's signals, decision 0026). */
  platforms?: readonly string[];
}

export interface IndexMatch {
  orderId: string;
  type: SignalType;
  strength: 'strong' | 'possible';
  endsAt: number;
}

/** A stored signal's digest: the HMAC-SHA256 under the pepper, 32 bytes. */
const DIGEST = 32;
/**
 * What the index keeps of it: the first 12 bytes, a 96-bit truncated HMAC (NIST SP 800-107 §5.3.3
 * allows truncation to 64 bits and more). Two different signals share a prefix with probability
 * 2⁻⁹⁶ each: over 10¹² lookups against 10⁷ signals (a national decade), about 10⁻¹⁰; and nobody
 * can aim at a prefix without the pepper. PostgreSQL keeps the whole digest. 12 rather than 16
 * bytes: 4 bytes a signal less, 39.6 → 35.6 bytes a signal (issue 31, docs/screening.md).
 */
const KEPT = 12;
const UUID = 16;
const DEAD = -Infinity;
const MAX_LOAD = 0.7;
const TYPE_CODE = new Map<SignalType, number>(SIGNAL_TYPES.map((t, i) => [t, i]));
/** An entry's order slot and its meta (type code, key index) share one 32-bit word. */
const SLOT_BITS = 24;
const SLOT_MASK = (1 << SLOT_BITS) - 1;
const MAX_ORDER_SLOTS = 1 << SLOT_BITS;

/**
 * An entry table slot: the entry's index + 1 (low 25 bits) and a 7-bit fingerprint of its digest
 * (its fifth byte), so that a probe past another digest is refused from the table alone, without
 * reading the entry: most checks are of people nobody banned, and every probe of theirs misses.
 */
const ENTRY_BITS = 25;
const ENTRY_MASK = (1 << ENTRY_BITS) - 1;
const MAX_ENTRIES = ENTRY_MASK - 1;
const fingerprint = (digest: Uint8Array, at = 0) => digest[at + 4]! >>> 1;

/** A table of at least n / MAX_LOAD slots; not a power of two, so no slot is wasted rounding up. */
function tableSize(n: number): number {
  return Math.max(1024, Math.ceil(n / MAX_LOAD));
}

/** A uniform 32-bit hash onto [0, size): Lemire's multiply-shift, no division. */
function home(hash: number, size: number): number {
  return Math.floor((hash * size) / 4294967296);
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuidScratch = Buffer.alloc(UUID);

function uuidBytes(id: string, into: Uint8Array, at: number): void {
  if (!UUID_PATTERN.test(id)) throw new Error('order id is not a UUID');
  uuidScratch.write(id.slice(0, 8) + id.slice(9, 13) + id.slice(14, 18) + id.slice(19, 23) + id.slice(24), 0, 'hex');
  into.set(uuidScratch, at);
}

function uuidString(bytes: Uint8Array, at: number): string {
  let hex = '';
  for (let i = 0; i < UUID; i++) hex += bytes[at + i]!.toString(16).padStart(2, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The last four bytes of a UUID (random in v4 and v7), as a table hash. */
function uuidHash(bytes: Uint8Array, at: number): number {
  return ((bytes[at + 12]! << 24) | (bytes[at + 13]! << 16) | (bytes[at + 14]! << 8) | bytes[at + 15]!) >>> 0;
}

/** The first four bytes of an HMAC digest: uniformly distributed, so a perfect table hash. */
function digestHash(digest: Uint8Array, at = 0): number {
  return ((digest[at]! << 24) | (digest[at + 1]! << 16) | (digest[at + 2]! << 8) | digest[at + 3]!) >>> 0;
}

/**
 * A whole index as plain data: its typed arrays (each owning its ArrayBuffer, so they can be
 * transferred to another thread without a copy) and its small tables. What a worker thread that
 * built an index posts to the thread that serves checks (index-build.worker.ts).
 */
export interface SignalIndexParts {
  digests: Uint8Array;
  entryWord: Uint32Array;
  entries: number;
  entryTable: Uint32Array;
  orderIds: Uint8Array;
  orderStart: Float64Array;
  orderEnd: Float64Array;
  orderPlatforms: Uint32Array;
  orders: number;
  orderTable: Int32Array;
  platformNumbers: [string, number][];
  platformSets: Uint16Array[];
  /** Entries with a platform set of their own (entry → set), as [entry, set] pairs. */
  entryPlatforms: [number, number][];
  keyIdList: string[];
  perKey: number[];
  liveOrders: number;
  liveXorHigh: number;
  liveXorLow: number;
}

/**
 * The banned signals of live orders, held in flat typed arrays (no object per signal), with two
 * open-addressing tables: digest → signal entries, order id → order slot. Under 40 bytes per
 * signal (measured in the bench): 12-byte digest prefixes (see KEPT), one word per entry for its
 * order slot and meta, tables sized to their load rather than to a power of two.
 *
 * An order is replaced by adding a new slot (its old entries point at a dead slot); a revoked
 * or purged order's slot is marked dead. Dead entries cost memory until the next full rebuild
 * (the periodic reconciliation), never correctness.
 */
export class SignalIndex {
  // Signal entries.
  private digests: Uint8Array;
  /** order slot (low 24 bits) | (type code (2 bits) | key index << 2) << 24. */
  private entryWord: Uint32Array;
  private entries = 0;
  private entryTable: Uint32Array;

  // Orders.
  private orderIds: Uint8Array;
  private orderStart: Float64Array;
  private orderEnd: Float64Array;
  private orderPlatforms: Uint32Array;
  private orders = 0;
  private orderTable: Int32Array;

  // Interned platform ids and platform sets (orders share a handful of combinations).
  private readonly platformNumbers = new Map<string, number>();
  private readonly platformSets: Uint16Array[] = [];
  private readonly platformSetIds = new Map<string, number>();
  /** Entries matched on a platform set of their own instead of their order's (few: a linked account's signals). */
  private readonly entryPlatforms = new Map<number, number>();
  private readonly keyIndexes = new Map<string, number>();
  private readonly keyIdList: string[] = [];
  private readonly perKey: number[] = [];
  private liveOrders = 0;
  /** XOR of the live orders' ids, their first 8 bytes as two big-endian 32-bit words (liveSummary). */
  private liveXorHigh = 0;
  private liveXorLow = 0;

  constructor(expectedSignals = 0, expectedOrders = 0) {
    const signals = Math.max(expectedSignals, 16);
    const orders = Math.max(expectedOrders, 16);
    this.digests = new Uint8Array(signals * KEPT);
    this.entryWord = new Uint32Array(signals);
    this.entryTable = new Uint32Array(tableSize(signals));
    this.orderIds = new Uint8Array(orders * UUID);
    this.orderStart = new Float64Array(orders);
    this.orderEnd = new Float64Array(orders);
    this.orderPlatforms = new Uint32Array(orders);
    this.orderTable = new Int32Array(tableSize(orders));
  }

  /**
   * The index as parts, and the buffers to transfer with them (postMessage's transfer list):
   * once transferred, this index is empty and must not be used again.
   */
  toParts(): { parts: SignalIndexParts; transfer: ArrayBuffer[] } {
    const parts: SignalIndexParts = {
      digests: this.digests,
      entryWord: this.entryWord,
      entries: this.entries,
      entryTable: this.entryTable,
      orderIds: this.orderIds,
      orderStart: this.orderStart,
      orderEnd: this.orderEnd,
      orderPlatforms: this.orderPlatforms,
      orders: this.orders,
      orderTable: this.orderTable,
      platformNumbers: [...this.platformNumbers],
      platformSets: this.platformSets,
      entryPlatforms: [...this.entryPlatforms],
      keyIdList: this.keyIdList,
      perKey: this.perKey,
      liveOrders: this.liveOrders,
      liveXorHigh: this.liveXorHigh,
      liveXorLow: this.liveXorLow,
    };
    const arrays = [
      this.digests,
      this.entryWord,
      this.entryTable,
      this.orderIds,
      this.orderStart,
      this.orderEnd,
      this.orderPlatforms,
      this.orderTable,
    ];
    return { parts, transfer: arrays.map((a) => a.buffer as ArrayBuffer) };
  }

  /** An index over parts made by toParts (in this thread or another): the arrays are used as they are, not copied. */
  static fromParts(parts: SignalIndexParts): SignalIndex {
    const index = new SignalIndex();
    index.digests = parts.digests;
    index.entryWord = parts.entryWord;
    index.entries = parts.entries;
    index.entryTable = parts.entryTable;
    index.orderIds = parts.orderIds;
    index.orderStart = parts.orderStart;
    index.orderEnd = parts.orderEnd;
    index.orderPlatforms = parts.orderPlatforms;
    index.orders = parts.orders;
    index.orderTable = parts.orderTable;
    for (const [platform, n] of parts.platformNumbers) index.platformNumbers.set(platform, n);
    parts.platformSets.forEach((set, id) => {
      index.platformSets.push(set);
      index.platformSetIds.set(set.join(','), id);
    });
    for (const [entry, set] of parts.entryPlatforms) index.entryPlatforms.set(entry, set);
    parts.keyIdList.forEach((keyId, k) => {
      index.keyIndexes.set(keyId, k);
      index.keyIdList.push(keyId);
      index.perKey.push(parts.perKey[k]!);
    });
    index.liveOrders = parts.liveOrders;
    index.liveXorHigh = parts.liveXorHigh;
    index.liveXorLow = parts.liveXorLow;
    return index;
  }

  /** Signals held (dead orders' entries included until the next rebuild). */
  get size(): number {
    return this.entries;
  }

  /** Orders that can still match at some time. */
  get orderCount(): number {
    return this.liveOrders;
  }

  /** The key ids some entry was stored under, with their entry counts: the peppers still needed. */
  keyUsage(): Record<string, number> {
    return Object.fromEntries(this.keyIdList.map((k, i) => [k, this.perKey[i]!]));
  }

  /** Bytes held by the index's arrays (what "bytes per signal" divides). */
  get byteLength(): number {
    return (
      this.digests.byteLength +
      this.entryWord.byteLength +
      this.entryTable.byteLength +
      this.orderIds.byteLength +
      this.orderStart.byteLength +
      this.orderEnd.byteLength +
      this.orderPlatforms.byteLength +
      this.orderTable.byteLength
    );
  }

  /** Adds an order with its signals, or replaces what the index holds for it; returns its slot. */
  upsert(order: IndexedOrder, signals: readonly IndexedSignal[]): number {
    const previous = this.findOrder(order.id);
    if (previous >= 0 && this.orderEnd[previous] !== DEAD) this.markDead(previous);
    const slot = this.addOrder(order, previous);
    for (const signal of signals) this.addEntry(signal, slot);
    return slot;
  }

  /** Adds one more signal to the order in `slot` (bulk loading: orders first, then a stream of signals). */
  addSignal(slot: number, signal: IndexedSignal): void {
    if (!(slot >= 0 && slot < this.orders)) throw new Error('no such order slot');
    this.addEntry(signal, slot);
  }

  /** Updates an order's window and platforms when its signals are already held; false if it is not. */
  update(order: IndexedOrder): boolean {
    const slot = this.findOrder(order.id);
    if (slot < 0 || this.orderEnd[slot] === DEAD) return false;
    this.orderStart[slot] = order.startsAt;
    this.orderEnd[slot] = order.endsAt;
    this.orderPlatforms[slot] = this.platformSet(order.platforms);
    return true;
  }

  /** Stops an order from matching (revoked, purged, gone). */
  remove(orderId: string): void {
    const slot = this.findOrder(orderId);
    if (slot >= 0 && this.orderEnd[slot] !== DEAD) this.markDead(slot);
  }

  /**
   * What PostgreSQL can tell about the same set of orders with one aggregate (IndexLoader.summary):
   * how many are live, and the XOR of their ids' first 8 bytes. A lost notification (an order
   * missing, or one held that should not be) changes it.
   */
  get liveSummary(): { orders: number; xorHigh: number; xorLow: number } {
    return { orders: this.liveOrders, xorHigh: this.liveXorHigh, xorLow: this.liveXorLow };
  }

  private markDead(slot: number): void {
    this.orderEnd[slot] = DEAD;
    this.liveOrders--;
    this.toggleLive(slot);
  }

  /** XORs an order's id into the live summary, or back out of it. */
  private toggleLive(slot: number): void {
    const ids = this.orderIds;
    const at = slot * UUID;
    this.liveXorHigh ^= (ids[at]! << 24) | (ids[at + 1]! << 16) | (ids[at + 2]! << 8) | ids[at + 3]! | 0;
    this.liveXorLow ^= (ids[at + 4]! << 24) | (ids[at + 5]! << 16) | (ids[at + 6]! << 8) | ids[at + 7]! | 0;
  }

  has(orderId: string): boolean {
    const slot = this.findOrder(orderId);
    return slot >= 0 && this.orderEnd[slot] !== DEAD;
  }

  /** Key ids with entries: a check computes one HMAC per key id in this list that it has a pepper for. */
  get keyIds(): readonly string[] {
    return this.keyIdList;
  }

  /**
   * Every order whose signal has this digest under this key id, that names the platform and
   * whose window holds `at`.
   */
  lookup(keyId: string, digest: Uint8Array, platform: string, at: number, into: IndexMatch[]): void {
    const key = this.keyIndexes.get(keyId);
    const platformNumber = this.platformNumbers.get(platform);
    if (key === undefined || platformNumber === undefined) return;
    const table = this.entryTable;
    const size = table.length;
    const print = fingerprint(digest);
    for (let i = home(digestHash(digest), size); ; i = i + 1 === size ? 0 : i + 1) {
      const slot = table[i]!;
      if (slot === 0) return;
      if (slot >>> ENTRY_BITS !== print) continue;
      const e = (slot & ENTRY_MASK) - 1;
      const word = this.entryWord[e]!;
      const meta = word >>> SLOT_BITS;
      if (meta >> 2 !== key || !this.sameDigest(e, digest)) continue;
      const o = word & SLOT_MASK;
      const end = this.orderEnd[o]!;
      // A dead order's end is DEAD (-Infinity): `at >= end` refuses it too.
      if (at < this.orderStart[o]! || at >= end) continue;
      if (!this.platformSets[this.entryPlatforms.get(e) ?? this.orderPlatforms[o]!]!.includes(platformNumber)) continue;
      const type = SIGNAL_TYPES[meta & 3]!;
      into.push({ orderId: uuidString(this.orderIds, o * UUID), type, strength: SIGNAL_STRENGTH[type], endsAt: end });
    }
  }

  private sameDigest(entry: number, digest: Uint8Array): boolean {
    const base = entry * KEPT;
    for (let i = 0; i < KEPT; i++) if (this.digests[base + i] !== digest[i]) return false;
    return true;
  }

  private readonly probe = new Uint8Array(UUID);

  private findOrder(orderId: string): number {
    const probe = this.probe;
    uuidBytes(orderId, probe, 0);
    const size = this.orderTable.length;
    for (let i = home(uuidHash(probe, 0), size); ; i = i + 1 === size ? 0 : i + 1) {
      const slot = this.orderTable[i]! - 1;
      if (slot < 0) return -1;
      let same = true;
      for (let b = 0; b < UUID && same; b++) same = this.orderIds[slot * UUID + b] === probe[b];
      if (same) return slot;
    }
  }

  private addOrder(order: IndexedOrder, previous: number): number {
    if (this.orders === MAX_ORDER_SLOTS) throw new Error(`more than ${MAX_ORDER_SLOTS} order slots: rebuild the index`);
    if (this.orders === this.orderStart.length) this.growOrders();
    const slot = this.orders++;
    uuidBytes(order.id, this.orderIds, slot * UUID);
    this.orderStart[slot] = order.startsAt;
    this.orderEnd[slot] = order.endsAt;
    this.orderPlatforms[slot] = this.platformSet(order.platforms);
    this.liveOrders++;
    this.toggleLive(slot);
    if (previous >= 0) {
      // Point the id at its new slot; the old slot stays for its dead entries.
      const size = this.orderTable.length;
      for (let i = home(uuidHash(this.orderIds, slot * UUID), size); ; i = i + 1 === size ? 0 : i + 1) {
        if (this.orderTable[i] === previous + 1) {
          this.orderTable[i] = slot + 1;
          return slot;
        }
      }
    }
    if (this.orders / this.orderTable.length > MAX_LOAD) this.rehashOrders(this.orderTable.length * 2);
    else this.placeOrder(slot);
    return slot;
  }

  private placeOrder(slot: number): void {
    const size = this.orderTable.length;
    let i = home(uuidHash(this.orderIds, slot * UUID), size);
    while (this.orderTable[i] !== 0) i = i + 1 === size ? 0 : i + 1;
    this.orderTable[i] = slot + 1;
  }

  private rehashOrders(size: number): void {
    // Only the newest slot of each id is in the table: rebuild from the old table's contents.
    const slots: number[] = [];
    for (const v of this.orderTable) if (v !== 0) slots.push(v - 1);
    slots.push(this.orders - 1);
    this.orderTable = new Int32Array(size);
    for (const slot of slots) this.placeOrder(slot);
  }

  private addEntry(signal: IndexedSignal, slot: number): void {
    if (signal.digest.length !== DIGEST) throw new Error('a signal digest is 32 bytes');
    if (this.entries === MAX_ENTRIES) throw new Error(`more than ${MAX_ENTRIES} signal entries: rebuild the index`);
    if (this.entries === this.entryWord.length) this.growEntries();
    if ((this.entries + 1) / this.entryTable.length > MAX_LOAD) this.rehashEntries(this.entryTable.length * 2);
    const e = this.entries++;
    this.digests.set(signal.digest.subarray(0, KEPT), e * KEPT);
    const meta = TYPE_CODE.get(signal.type)! | (this.keyIndex(signal.keyId) << 2);
    this.entryWord[e] = (slot | (meta << SLOT_BITS)) >>> 0;
    if (signal.platforms) this.entryPlatforms.set(e, this.platformSet(signal.platforms));
    this.placeEntry(e);
  }

  private placeEntry(e: number): void {
    const size = this.entryTable.length;
    let i = home(digestHash(this.digests, e * KEPT), size);
    while (this.entryTable[i] !== 0) i = i + 1 === size ? 0 : i + 1;
    this.entryTable[i] = ((e + 1) | (fingerprint(this.digests, e * KEPT) << ENTRY_BITS)) >>> 0;
  }

  private rehashEntries(size: number): void {
    this.entryTable = new Uint32Array(size);
    for (let e = 0; e < this.entries; e++) this.placeEntry(e);
  }

  private keyIndex(keyId: string): number {
    let k = this.keyIndexes.get(keyId);
    if (k === undefined) {
      k = this.keyIdList.length;
      if (k >= 64) throw new Error('more than 64 pepper key ids');
      this.keyIndexes.set(keyId, k);
      this.keyIdList.push(keyId);
      this.perKey.push(0);
    }
    // Not `!++`: StrykerJS 10's update-operator mutator cannot rewrite a non-null assertion.
    this.perKey[k]! += 1;
    return k;
  }

  private platformSet(platforms: readonly string[]): number {
    const numbers = platforms.map((p) => {
      let n = this.platformNumbers.get(p);
      if (n === undefined) {
        n = this.platformNumbers.size;
        this.platformNumbers.set(p, n);
      }
      return n;
    });
    numbers.sort((a, b) => a - b);
    const key = numbers.join(',');
    let id = this.platformSetIds.get(key);
    if (id === undefined) {
      id = this.platformSets.length;
      this.platformSets.push(Uint16Array.from(numbers));
      this.platformSetIds.set(key, id);
    }
    return id;
  }

  private growEntries(): void {
    const capacity = Math.ceil(this.entryWord.length * 1.5);
    const digests = new Uint8Array(capacity * KEPT);
    digests.set(this.digests);
    this.digests = digests;
    const words = new Uint32Array(capacity);
    words.set(this.entryWord);
    this.entryWord = words;
  }

  private growOrders(): void {
    const capacity = Math.ceil(this.orderStart.length * 1.5);
    const ids = new Uint8Array(capacity * UUID);
    ids.set(this.orderIds);
    this.orderIds = ids;
    const start = new Float64Array(capacity);
    start.set(this.orderStart);
    this.orderStart = start;
    const end = new Float64Array(capacity);
    end.set(this.orderEnd);
    this.orderEnd = end;
    const platforms = new Uint32Array(capacity);
    platforms.set(this.orderPlatforms);
    this.orderPlatforms = platforms;
  }
}
