import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { type AuditEvent, type Checkpoint, type PublishedKeys, client, ok } from '../api';
import { Field } from '../field';
import { format, formatDateTime, messages as t } from '../i18n';
import { ed25519KeyFromPem, fingerprint, sameKey, verifyCheckpoint } from '../verify/checkpoint';
import { checkNote } from '../verify/note';
import { eventLeaf, fromHex, toHex, verifyConsistency, verifyInclusion } from '../verify/merkle';
import { Problem, messageOf } from '../ui';

/** What this browser remembers between visits: the key the auditor pinned, the last checkpoint it verified. */
const PINNED_KEY = 'ostracon.audit.pinnedKey';
const LAST_CHECKPOINT = 'ostracon.audit.lastCheckpoint';

interface PinnedKey {
  keyId: string;
  publicKeyPem: string;
  /** The witnesses' verifier keys and the quorum, pinned with the key (absent in pins made before witnesses). */
  witnesses?: string[];
  witnessQuorum?: number;
}
type Seen = Pick<Checkpoint, 'size' | 'rootHash' | 'timestamp'>;

const read = <T,>(key: string): T | null => {
  try {
    return JSON.parse(localStorage.getItem(key) ?? 'null') as T | null;
  } catch {
    return null;
  }
};

type Outcome = { ok: boolean | 'info'; text: string } | null;

/** A check's result, in a live region present from the start so that screen readers announce it. */
function Result({ outcome, testId }: { outcome: Outcome; testId: string }) {
  return (
    <div aria-live="polite">
      {outcome && (
        <div
          className={`fr-alert fr-alert--sm fr-alert--${outcome.ok === 'info' ? 'info' : outcome.ok ? 'success' : 'error'} fr-mt-2w`}
          data-testid={testId}
        >
          <p>{outcome.text}</p>
        </div>
      )}
    </div>
  );
}

/** Base64url of the JSON [seq]: the cursor after which the event `seq + 1` comes. */
const cursorAfter = (seq: number) =>
  btoa(JSON.stringify([seq]))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

/**
 * Who cosigned the checkpoint: its note (the log's signature under the pinned key, each witness's
 * cosignature) checked here against the witnesses and quorum pinned with the key (those the
 * service announces until then), and tied to the checkpoint verified above: the same root, or a
 * consistency proof between the two. A note of another history is a failure, not a witness count.
 */
async function checkWitnesses(published: PublishedKeys, pinned: PinnedKey, current: Checkpoint): Promise<Outcome> {
  const witnesses = pinned.witnesses ?? published.witnesses.map((w) => w.verifierKey);
  const quorum = pinned.witnessQuorum ?? published.witnessQuorum;
  if (witnesses.length === 0) return { ok: 'info', text: t.verify.noWitnesses };
  const check = async (witnessed: boolean) =>
    checkNote(
      await ok(
        client.GET('/v1/audit/checkpoint/note', {
          params: { query: witnessed ? { witnessed: 'true' } : {} },
          parseAs: 'text',
          headers: { accept: 'text/plain' },
        }),
      ),
      published.origin,
      ed25519KeyFromPem(pinned.publicKeyPem),
      witnesses,
    );
  let checked = await check(false);
  // The newest checkpoint may be seconds old and not cosigned yet: then the newest that a quorum cosigned.
  if (checked?.signed && checked.bad.length === 0 && checked.witnessedBy.length < quorum) {
    checked = (await check(true).catch(() => null)) ?? checked;
  }
  if (!checked || !checked.signed) return { ok: false, text: t.verify.noteBad };
  if (checked.bad.length > 0) return { ok: false, text: format(t.verify.cosignatureBad, { names: checked.bad.join(', ') }) };
  // One history: the note's tree and the verified checkpoint's, proven consistent.
  const [older, newer] =
    checked.size <= current.size
      ? [
          { size: checked.size, root: checked.rootHex },
          { size: current.size, root: current.rootHash },
        ]
      : [
          { size: current.size, root: current.rootHash },
          { size: checked.size, root: checked.rootHex },
        ];
  let sameHistory = older.size === newer.size ? older.root === newer.root : older.size === 0;
  if (older.size > 0 && older.size < newer.size) {
    const proof = await ok(client.GET('/v1/audit/proofs/consistency', { params: { query: { from: older.size, to: newer.size } } })).catch(
      () => null,
    );
    sameHistory =
      proof !== null && verifyConsistency(older.size, newer.size, fromHex(older.root), fromHex(newer.root), proof.proof.map(fromHex));
  }
  if (!sameHistory) return { ok: false, text: format(t.verify.noteOtherHistory, { size: checked.size }) };
  const changed =
    pinned.witnesses !== undefined &&
    (published.witnessQuorum !== pinned.witnessQuorum || published.witnesses.map((w) => w.verifierKey).join() !== pinned.witnesses.join());
  const values = {
    n: checked.witnessedBy.length,
    m: witnesses.length,
    q: quorum,
    size: checked.size,
    names: checked.witnessedBy.join(', ') || '—',
  };
  const text = format(t.verify.witnessedBy, values) + (changed ? ` ${t.verify.witnessesChanged}` : '');
  return { ok: checked.witnessedBy.length >= quorum && !changed, text };
}

/**
 * The log verified in the browser (docs/auditing.md): the checkpoint's Ed25519 signature under a
 * key the auditor pinned, an event's inclusion under that signed root, and the consistency of
 * the log with the last checkpoint this browser verified. Nothing here asks the server whether
 * it is honest: it only supplies data and proofs.
 */
export function VerifyPage({ query }: { query: URLSearchParams }) {
  const [keys, setKeys] = useState<PublishedKeys['keys'] | null>(null);
  const [checkpoint, setCheckpoint] = useState<Checkpoint | null>(null);
  const [pinned, setPinned] = useState<PinnedKey | null>(() => read<PinnedKey>(PINNED_KEY));
  const [signature, setSignature] = useState<Outcome>(null);
  const [consistency, setConsistency] = useState<Outcome>(null);
  const [inclusion, setInclusion] = useState<Outcome>(null);
  const [witnessed, setWitnessed] = useState<Outcome>(null);
  const [witnessSet, setWitnessSet] = useState<Pick<PinnedKey, 'witnesses' | 'witnessQuorum'>>({});
  const [problem, setProblem] = useState<unknown>(undefined);
  const [seq, setSeq] = useState(query.get('seq') ?? '');
  const [checked, setChecked] = useState<AuditEvent | null>(null);

  const announced = checkpoint && keys?.find((k) => k.keyId === checkpoint.keyId);
  const keyChanged = !!(pinned && announced && (announced.keyId !== pinned.keyId || !sameKey(announced.publicKeyPem, pinned.publicKeyPem)));
  const [verified, setVerified] = useState<{ signed: boolean; consistent: boolean }>({ signed: false, consistent: false });

  const run = useCallback(async () => {
    setProblem(undefined);
    setSignature(null);
    setConsistency(null);
    setWitnessed(null);
    setVerified({ signed: false, consistent: false });
    try {
      const [announcedKeys, current] = await Promise.all([ok(client.GET('/v1/audit/public-key')), ok(client.GET('/v1/audit/checkpoint'))]);
      const published = announcedKeys.keys;
      setKeys(published);
      // A service that announces no witnesses (or an older one) is one with none.
      announcedKeys.witnesses ??= [];
      announcedKeys.witnessQuorum ??= 0;
      setWitnessSet({ witnesses: announcedKeys.witnesses.map((w) => w.verifierKey), witnessQuorum: announcedKeys.witnessQuorum });
      setCheckpoint(current);
      const key = read<PinnedKey>(PINNED_KEY);
      if (!key) {
        setSignature({ ok: false, text: t.verify.checkpointNoKey });
        return;
      }
      // The pinned key's bytes sign it, whatever id the service gives the key now.
      const signed = verifyCheckpoint(current, key.publicKeyPem);
      const values = {
        size: current.size,
        root: current.rootHash.slice(0, 16),
        timestamp: formatDateTime(current.timestamp),
        keyId: current.keyId,
      };
      setSignature({ ok: signed, text: format(signed ? t.verify.checkpointOk : t.verify.checkpointBad, values) });
      if (!signed) return;
      void checkWitnesses(announcedKeys, key, current).then(setWitnessed, (error: unknown) =>
        setWitnessed({ ok: false, text: messageOf(error) }),
      );

      const seen = read<Seen>(LAST_CHECKPOINT);
      if (!seen) {
        localStorage.setItem(
          LAST_CHECKPOINT,
          JSON.stringify({ size: current.size, rootHash: current.rootHash, timestamp: current.timestamp }),
        );
        setConsistency({ ok: 'info', text: t.verify.consistencyFirst });
        setVerified({ signed: true, consistent: true });
        return;
      }
      let consistent: boolean;
      if (seen.size === current.size) consistent = seen.rootHash === current.rootHash;
      else if (seen.size > current.size) consistent = false;
      else {
        // A proof the service will not give is a failed check, not an error to retry.
        const proof = await ok(
          client.GET('/v1/audit/proofs/consistency', { params: { query: { from: seen.size, to: current.size } } }),
        ).catch(() => null);
        consistent =
          proof !== null &&
          verifyConsistency(seen.size, current.size, fromHex(seen.rootHash), fromHex(current.rootHash), proof.proof.map(fromHex));
      }
      const params = { from: seen.size, to: current.size, seen: formatDateTime(seen.timestamp) };
      if (seen.size === current.size && consistent) setConsistency({ ok: true, text: format(t.verify.same, { size: current.size }) });
      else setConsistency({ ok: consistent, text: format(consistent ? t.verify.consistencyOk : t.verify.consistencyBad, params) });
      setVerified({ signed: true, consistent });
      // Only a log that extends the one seen becomes the new reference: a rewrite stays reported.
      if (consistent)
        localStorage.setItem(
          LAST_CHECKPOINT,
          JSON.stringify({ size: current.size, rootHash: current.rootHash, timestamp: current.timestamp }),
        );
    } catch (error) {
      setProblem(error);
    }
  }, []);

  useEffect(() => {
    void run();
  }, [run, pinned]);

  const pin = () => {
    if (!announced) return;
    const pin: PinnedKey = { keyId: announced.keyId, publicKeyPem: announced.publicKeyPem, ...witnessSet };
    localStorage.setItem(PINNED_KEY, JSON.stringify(pin));
    setPinned(pin);
  };
  const unpin = () => {
    localStorage.removeItem(PINNED_KEY);
    setPinned(null);
  };

  const checkInclusion = async (event: FormEvent) => {
    event.preventDefault();
    setInclusion(null);
    setChecked(null);
    const n = Number(seq);
    if (!checkpoint || !Number.isInteger(n) || n < 1) return;
    try {
      // Only under a root that is signed and extends what this browser saw: else the event could
      // belong to a fork shown to this auditor alone.
      if (!pinned || !verifyCheckpoint(checkpoint, pinned.publicKeyPem) || !verified.consistent) {
        setInclusion({ ok: false, text: t.verify.inclusionNeedsRoot });
        return;
      }
      const page = await ok(
        client.GET('/v1/audit/events', { params: { query: { limit: 1, after: n > 1 ? cursorAfter(n - 1) : undefined } } }),
      );
      const found = page.items[0];
      if (!found || found.seq !== n) throw new Error(`event ${n} not found`);
      // The leaf is computed here from the event, not taken from its leafHash field.
      const leaf = eventLeaf(found);
      const proof = await ok(client.GET('/v1/audit/proofs/inclusion', { params: { query: { seq: n, size: checkpoint.size } } }));
      const included =
        proof.leafIndex === n - 1 && verifyInclusion(leaf, n - 1, checkpoint.size, proof.proof.map(fromHex), fromHex(checkpoint.rootHash));
      setInclusion({
        ok: included,
        text: format(included ? t.verify.inclusionOk : t.verify.inclusionBad, {
          seq: n,
          leaf: toHex(leaf).slice(0, 16),
          size: checkpoint.size,
        }),
      });
      setChecked(found);
    } catch (error) {
      setInclusion({ ok: false, text: messageOf(error) });
    }
  };

  return (
    <>
      <h1>{t.verify.title}</h1>
      <p>{t.verify.intro}</p>
      {problem !== undefined && <Problem error={problem} />}

      <section className="fr-mb-4w">
        <h2>{t.verify.key}</h2>
        {keyChanged && (
          <div className="fr-alert fr-alert--error fr-mb-2w" data-testid="key-changed" role="alert">
            <p>{t.verify.keyChanged}</p>
          </div>
        )}
        {announced && (
          <p className="ost-mono fr-text--sm">
            {format(t.verify.announced, {
              keyId: announced.keyId,
              fingerprint: fingerprint(announced.publicKeyPem) ?? t.verify.unreadable,
            })}
          </p>
        )}
        {pinned ? (
          <>
            <p className="ost-mono fr-text--sm" data-testid="pinned">
              {format(t.verify.pinned, { keyId: pinned.keyId, fingerprint: fingerprint(pinned.publicKeyPem) ?? t.verify.unreadable })}
            </p>
            <button className="fr-btn fr-btn--tertiary fr-btn--sm" type="button" onClick={unpin}>
              {t.verify.unpin}
            </button>
          </>
        ) : (
          <>
            <p>{t.verify.notPinned}</p>
            <button className="fr-btn" type="button" onClick={pin} disabled={!announced} data-testid="pin">
              {t.verify.pin}
            </button>
          </>
        )}
      </section>

      <section className="fr-mb-4w">
        <h2>{t.verify.checkpoint}</h2>
        <Result outcome={signature} testId="signature" />
        <h2 className="fr-mt-4w">{t.verify.consistency}</h2>
        <Result outcome={consistency} testId="consistency" />
        <h2 className="fr-mt-4w">{t.verify.witnesses}</h2>
        <Result outcome={witnessed} testId="witnessed" />
        <button className="fr-btn fr-btn--secondary fr-mt-2w" type="button" onClick={() => void run()}>
          {t.verify.refresh}
        </button>
      </section>

      <section>
        <h2>{t.verify.inclusion}</h2>
        <form className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom" onSubmit={(e) => void checkInclusion(e)}>
          <Field
            className="fr-col-12 fr-col-md-4"
            id="verify-seq"
            label={t.verify.seq}
            type="number"
            min={1}
            value={seq}
            onChange={(e) => setSeq(e.target.value)}
          />
          <div className="fr-col-12 fr-col-md-2">
            <button className="fr-btn" type="submit" data-testid="check-inclusion">
              {t.verify.check}
            </button>
          </div>
        </form>
        <Result outcome={inclusion} testId="inclusion" />
        {checked && (
          <details className="fr-mt-2w">
            <summary>{t.verify.checkedEvent}</summary>
            <pre className="ost-mono fr-text--xs" data-testid="checked-event">
              {JSON.stringify(checked, null, 2)}
            </pre>
          </details>
        )}
      </section>
    </>
  );
}
