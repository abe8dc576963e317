import { TAG_BYTES } from './voprf';

export type Strength = 'strong' | 'possible';

const EMPTY = 0;
const STRONG = 1;
const POSSIBLE = 2;
const DELETED = 3;
const MAX_LOAD = 0.75;

/**
 * A platform's copy of its private set: 16-byte tags and their strength, in one open-addressing
 * table of flat byte arrays (17 bytes a slot; 23–34 B an entry between rehashes, where a Map of
 * strings would take over 100). Tags are uniformly random (SHA-256 outputs), so their first four
 * bytes are the hash and linear probing stays short.
 */
export class TagSet {
  private tags: Uint8Array;
  private states: Uint8Array;
  private mask: number;
  private used = 0; // live + deleted slots
  private live = 0;

  /** Sized for `expected` entries (a power of two, at least 16 slots); it grows past them. */
  constructor(expected = 1024) {
    let capacity = 16;
    while (capacity * MAX_LOAD < expected) capacity *= 2;
    this.tags = new Uint8Array(capacity * TAG_BYTES);
    this.states = new Uint8Array(capacity);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.live;
  }

  /** Bytes held by the table (for the memory figure in the bench). */
  get byteLength(): number {
    return this.tags.byteLength + this.states.byteLength;
  }

  get(tag: Uint8Array): Strength | undefined {
    const slot = this.find(tag);
    if (slot < 0) return undefined;
    return this.states[slot] === STRONG ? 'strong' : 'possible';
  }

  set(tag: Uint8Array, strength: Strength): void {
    if (tag.length !== TAG_BYTES) throw new RangeError(`a tag is ${TAG_BYTES} bytes`);
    const state = strength === 'strong' ? STRONG : POSSIBLE;
    const found = this.find(tag);
    if (found >= 0) {
      this.states[found] = state;
      return;
    }
    if (this.used + 1 > (this.mask + 1) * MAX_LOAD)
      this.rehash(this.live + 1 > ((this.mask + 1) * MAX_LOAD) / 2 ? (this.mask + 1) * 2 : this.mask + 1);
    let slot = this.home(tag);
    while (this.states[slot] !== EMPTY && this.states[slot] !== DELETED) slot = (slot + 1) & this.mask;
    if (this.states[slot] === EMPTY) this.used++;
    this.tags.set(tag, slot * TAG_BYTES);
    this.states[slot] = state;
    this.live++;
  }

  delete(tag: Uint8Array): boolean {
    const slot = this.find(tag);
    if (slot < 0) return false;
    this.states[slot] = DELETED;
    this.live--;
    return true;
  }

  private home(tag: Uint8Array): number {
    return ((tag[0]! | (tag[1]! << 8) | (tag[2]! << 16) | (tag[3]! << 24)) >>> 0) & this.mask;
  }

  private find(tag: Uint8Array): number {
    if (tag.length !== TAG_BYTES) return -1;
    for (let slot = this.home(tag); ; slot = (slot + 1) & this.mask) {
      const state = this.states[slot];
      if (state === EMPTY) return -1;
      if (state !== DELETED && this.equalAt(slot, tag)) return slot;
    }
  }

  private equalAt(slot: number, tag: Uint8Array): boolean {
    const at = slot * TAG_BYTES;
    for (let i = 0; i < TAG_BYTES; i++) if (this.tags[at + i] !== tag[i]) return false;
    return true;
  }

  private rehash(capacity: number): void {
    const { tags, states } = this;
    this.tags = new Uint8Array(capacity * TAG_BYTES);
    this.states = new Uint8Array(capacity);
    this.mask = capacity - 1;
    this.used = 0;
    this.live = 0;
    for (let slot = 0; slot < states.length; slot++) {
      const state = states[slot]!;
      if (state === STRONG || state === POSSIBLE) {
        this.set(tags.subarray(slot * TAG_BYTES, slot * TAG_BYTES + TAG_BYTES), state === STRONG ? 'strong' : 'possible');
      }
    }
  }
}
