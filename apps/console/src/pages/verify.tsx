import { type FormEvent, type ReactNode, useCallback, useEffect, useState } from 'react';
import { type AuditEvent, type Checkpoint, type PublishedKeys, client, ok } from '../api';
import { Field } from '../field';
import { format, formatDateTime, messages as t } from '../i18n';
import { ed25519KeyFromPem, fingerprint, sameKey, verifyCheckpoint } from '../verify/checkpoint';
import { checkNote } from '../verify/note';
import { eventLeaf, fromHex, rootFromInclusion, toHex, verifyConsistency, verifyInclusion } from '../verify/merkle';
import { Badge, Problem, messageOf } from '../ui';
import '../inspect.css';

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

/** A check's verdict as a badge: grey "non vérifié" until it ran (never red for a check not made). */
function Status({ outcome, testId }: { outcome: Outcome; testId: string }) {
  return (
    <span data-testid={`${testId}-status`}>
      {outcome === null ? (
        <p className="fr-badge fr-badge--sm">{t.verify.notChecked}</p>
      ) : outcome.ok === 'info' ? (
        <Badge text={t.verify.statusInfo} tone="info" />
      ) : outcome.ok ? (
        <Badge text={t.verify.statusOk} tone="success" />
      ) : (
        <Badge text={t.verify.statusFailed} tone="error" />
      )}
    </span>
  );
}

/** A check's result, in a live region present from the start so that screen readers announce it. */
function Result({ outcome, testId, waiting }: { outcome: Outcome; testId: string; waiting?: string }) {
  return (
    <div aria-live="polite">
      {outcome ? (
        <div
          className={`fr-alert fr-alert--sm fr-alert--${outcome.ok === 'info' ? 'info' : outcome.ok ? 'success' : 'error'} fr-mt-2w`}
          data-testid={testId}
        >
          <p>{outcome.text}</p>
        </div>
      ) : (
        waiting && <p className="fr-text--sm fr-mt-1w">{waiting}</p>
      )}
    </div>
  );
}

/** One numbered step of the verification, its heading with its status. */
function Step({
  n,
  title,
  outcome,
  testId,
  children,
}: {
  n: number;
  title: string;
  outcome: Outcome;
  testId: string;
  children: ReactNode;
}) {
  return (
    <section className="fr-mb-4w" aria-labelledby={`step-${n}`}>
      <h2 id={`step-${n}`} className="fr-h4">
        {format(t.verify.stepTitle, { n, title })} <Status outcome={outcome} testId={testId} />
      </h2>
      {children}
    </section>
  );
}

/** The bytes behind each verdict, as a report keeps them (hex, as the API and openssl show them). */
interface Evidence {
  signature?: { signatureHex: string; signedMessage: string };
  consistency?: { from: Seen; to: Seen; proof: string[] };
  inclusion?: { seq: number; leafHash: string; expectedRoot: string; computedRoot: string | null; proof: string[]; size: number };
}

const b64ToHex = (b64: string) => {
  try {
    return toHex(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
  } catch {
    return b64;
  }
};

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
  const [evidence, setEvidence] = useState<Evidence>({});
  const [verifiedAt, setVerifiedAt] = useState<string | null>(null);

  const announced = checkpoint && keys?.find((k) => k.keyId === checkpoint.keyId);
  const keyChanged = !!(pinned && announced && (announced.keyId !== pinned.keyId || !sameKey(announced.publicKeyPem, pinned.publicKeyPem)));
  const [verified, setVerified] = useState<{ signed: boolean; consistent: boolean }>({ signed: false, consistent: false });

  const run = useCallback(async () => {
    setProblem(undefined);
    setSignature(null);
    setConsistency(null);
    setWitnessed(null);
    setInclusion(null);
    setVerified({ signed: false, consistent: false });
    setEvidence({});
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
      // Nothing to check before a key is pinned: step 1 says so, without an error.
      if (!key) return;
      setVerifiedAt(new Date().toISOString());
      // The pinned key's bytes sign it, whatever id the service gives the key now.
      const signed = verifyCheckpoint(current, key.publicKeyPem);
      const values = {
        size: current.size,
        root: current.rootHash.slice(0, 16),
        timestamp: formatDateTime(current.timestamp),
        keyId: current.keyId,
      };
      setSignature({ ok: signed, text: format(signed ? t.verify.checkpointOk : t.verify.checkpointBad, values) });
      setEvidence({
        signature: {
          signatureHex: b64ToHex(current.signature),
          signedMessage: JSON.stringify({ rootHash: current.rootHash, size: current.size, timestamp: current.timestamp }),
        },
      });
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
      let proofHex: string[] = [];
      if (seen.size === current.size) consistent = seen.rootHash === current.rootHash;
      else if (seen.size > current.size) consistent = false;
      else {
        // A proof the service will not give is a failed check, not an error to retry.
        const proof = await ok(
          client.GET('/v1/audit/proofs/consistency', { params: { query: { from: seen.size, to: current.size } } }),
        ).catch(() => null);
        proofHex = proof?.proof ?? [];
        consistent =
          proof !== null &&
          verifyConsistency(seen.size, current.size, fromHex(seen.rootHash), fromHex(current.rootHash), proof.proof.map(fromHex));
      }
      setEvidence((e) => ({
        ...e,
        consistency: {
          from: seen,
          to: { size: current.size, rootHash: current.rootHash, timestamp: current.timestamp },
          proof: proofHex,
        },
      }));
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
      const computed = rootFromInclusion(leaf, n - 1, checkpoint.size, proof.proof.map(fromHex));
      setEvidence((e) => ({
        ...e,
        inclusion: {
          seq: n,
          leafHash: toHex(leaf),
          expectedRoot: checkpoint.rootHash,
          computedRoot: computed && toHex(computed),
          proof: proof.proof,
          size: checkpoint.size,
        },
      }));
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

  const steps = [
    { title: t.verify.stepKey, done: !!pinned && !keyChanged },
    { title: t.verify.stepCheckpoint, done: signature?.ok === true },
    { title: t.verify.stepConsistency, done: verified.consistent },
    { title: t.verify.stepInclusion, done: inclusion?.ok === true },
  ];
  const current = Math.max(
    0,
    steps.findIndex((s) => !s.done),
  );
  const allDone = steps.every((s) => s.done);
  const pinFirst = pinned ? undefined : t.verify.pinFirst;
  const pinnedFingerprint = pinned ? fingerprint(pinned.publicKeyPem) : null;

  const report = () => ({
    report: 'Ostracon — vérification du journal d’audit',
    verifiedAt,
    reportedAt: new Date().toISOString(),
    page: window.location.origin,
    key: pinned && { keyId: pinned.keyId, fingerprintSha256: pinnedFingerprint, publicKeyPem: pinned.publicKeyPem },
    checkpoint: checkpoint && {
      origin: window.location.origin,
      size: checkpoint.size,
      rootHash: checkpoint.rootHash,
      timestamp: checkpoint.timestamp,
      keyId: checkpoint.keyId,
      signatureHex: b64ToHex(checkpoint.signature),
    },
    results: {
      signature: { status: statusOf(signature), text: signature?.text ?? null, ...evidence.signature },
      witnesses: { status: statusOf(witnessed), text: witnessed?.text ?? null },
      consistency: { status: statusOf(consistency), text: consistency?.text ?? null, ...evidence.consistency },
      inclusion: { status: statusOf(inclusion), text: inclusion?.text ?? null, ...evidence.inclusion },
    },
  });
  const download = () => {
    const blob = new Blob([JSON.stringify(report(), null, 2)], { type: 'application/json' });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = `verification-${checkpoint?.size ?? 0}-${(verifiedAt ?? '').replace(/[:.]/g, '-')}.json`;
    link.click();
    URL.revokeObjectURL(link.href);
  };

  return (
    <>
      <h1>{t.verify.title}</h1>
      <p>{t.verify.intro}</p>
      {problem !== undefined && <Problem error={problem} />}

      <div className="fr-stepper ost-no-print" data-testid="stepper">
        <h2 className="fr-stepper__title">
          {allDone ? t.verify.allDone : steps[current]!.title}
          <span className="fr-stepper__state">
            {format(t.verify.stepOf, { n: allDone ? steps.length : current + 1, of: steps.length })}
          </span>
        </h2>
        <div className="fr-stepper__steps" data-fr-current-step={allDone ? steps.length : current + 1} data-fr-steps={steps.length} />
        {!allDone && current + 1 < steps.length && (
          <p className="fr-stepper__details">
            <span className="fr-text--bold">{t.verify.nextStep}</span> {steps[current + 1]!.title}
          </p>
        )}
      </div>

      <Step
        n={1}
        title={t.verify.stepKey}
        outcome={pinned ? (keyChanged ? { ok: false, text: '' } : { ok: true, text: '' }) : null}
        testId="key"
      >
        {keyChanged && (
          <div className="fr-alert fr-alert--error fr-mb-2w" data-testid="key-changed" role="alert">
            <p>{t.verify.keyChanged}</p>
          </div>
        )}
        {!pinned && (
          <div className="fr-callout fr-mb-2w" data-testid="pin-explained">
            <p className="fr-callout__text">{t.verify.pinExplained}</p>
            <pre className="ost-mono ost-pre fr-text--xs">openssl pkey -pubin -in cle.pem -outform DER | tail -c 32 | sha256sum</pre>
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
              {format(t.verify.pinned, { keyId: pinned.keyId, fingerprint: pinnedFingerprint ?? t.verify.unreadable })}
            </p>
            <button className="fr-btn fr-btn--tertiary fr-btn--sm ost-no-print" type="button" onClick={unpin}>
              {t.verify.unpin}
            </button>
          </>
        ) : (
          <button className="fr-btn" type="button" onClick={pin} disabled={!announced} data-testid="pin">
            {t.verify.pin}
          </button>
        )}
      </Step>

      <Step n={2} title={t.verify.stepCheckpoint} outcome={signature} testId="signature">
        {checkpoint && (
          <p className="ost-mono fr-text--xs" data-testid="checkpoint-facts">
            {format(t.verify.checkpointFacts, {
              size: checkpoint.size,
              root: checkpoint.rootHash,
              timestamp: formatDateTime(checkpoint.timestamp),
            })}
          </p>
        )}
        <Result outcome={signature} testId="signature" waiting={pinFirst} />
        <h3 className="fr-h6 fr-mt-3w">
          {t.verify.witnesses} <Status outcome={witnessed} testId="witnessed" />
        </h3>
        <Result outcome={witnessed} testId="witnessed" waiting={pinFirst} />
      </Step>

      <Step n={3} title={t.verify.stepConsistency} outcome={consistency} testId="consistency">
        <Result
          outcome={consistency}
          testId="consistency"
          waiting={pinFirst ?? (signature?.ok === false ? t.verify.notReached : undefined)}
        />
        <button className="fr-btn fr-btn--secondary fr-mt-2w ost-no-print" type="button" onClick={() => void run()}>
          {t.verify.refresh}
        </button>
      </Step>

      <Step n={4} title={t.verify.stepInclusion} outcome={inclusion} testId="inclusion">
        <form className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom ost-no-print" onSubmit={(e) => void checkInclusion(e)}>
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
            <pre className="ost-mono ost-pre fr-text--xs" data-testid="checked-event">
              {JSON.stringify(checked, null, 2)}
            </pre>
          </details>
        )}
      </Step>

      <section className="fr-mb-4w ost-report" aria-labelledby="report-title" data-testid="report">
        <h2 id="report-title" className="fr-h4">
          {t.verify.report}
        </h2>
        <p className="fr-text--sm">{t.verify.reportIntro}</p>
        {verifiedAt && <p className="fr-text--sm">{format(t.verify.verifiedAt, { at: formatDateTime(verifiedAt) })}</p>}
        <Bytes evidence={evidence} />
        <ul className="fr-btns-group fr-btns-group--inline-md fr-btns-group--icon-left ost-no-print">
          <li>
            <button
              className="fr-btn fr-btn--secondary fr-icon-download-line fr-btn--icon-left"
              type="button"
              onClick={download}
              disabled={!pinned || !checkpoint}
              data-testid="report-json"
            >
              {t.verify.downloadReport}
            </button>
          </li>
          <li>
            <button
              className="fr-btn fr-btn--tertiary fr-icon-printer-line fr-btn--icon-left"
              type="button"
              onClick={() => window.print()}
              disabled={!pinned || !checkpoint}
            >
              {t.verify.printReport}
            </button>
          </li>
        </ul>
      </section>
    </>
  );
}

const statusOf = (outcome: Outcome) =>
  outcome === null ? 'non vérifié' : outcome.ok === 'info' ? 'information' : outcome.ok ? 'vérifié' : 'échec';

/** The bytes each check compared, shown as the report keeps them (failures first to the eye: their rows are marked). */
function Bytes({ evidence }: { evidence: Evidence }) {
  const rows: [string, string][] = [];
  if (evidence.signature) {
    rows.push([t.verify.bytes.signature, evidence.signature.signatureHex]);
    rows.push([t.verify.bytes.signedMessage, evidence.signature.signedMessage]);
  }
  if (evidence.consistency) {
    rows.push([format(t.verify.bytes.seenRoot, { size: evidence.consistency.from.size }), evidence.consistency.from.rootHash]);
    rows.push([format(t.verify.bytes.currentRoot, { size: evidence.consistency.to.size }), evidence.consistency.to.rootHash]);
  }
  if (evidence.inclusion) {
    rows.push([format(t.verify.bytes.leaf, { seq: evidence.inclusion.seq }), evidence.inclusion.leafHash]);
    rows.push([t.verify.bytes.expectedRoot, evidence.inclusion.expectedRoot]);
    rows.push([t.verify.bytes.computedRoot, evidence.inclusion.computedRoot ?? '—']);
  }
  if (rows.length === 0) return null;
  return (
    <dl className="ost-fields fr-text--sm" data-testid="report-bytes">
      {rows.map(([label, value]) => (
        <div key={label} className="ost-field">
          <dt>{label}</dt>
          <dd className="ost-mono">{value}</dd>
        </div>
      ))}
    </dl>
  );
}
