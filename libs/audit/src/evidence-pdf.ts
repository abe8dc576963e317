import { type AuditEvent, type EvidenceBundle, cosignatureTimestamp, splitNote } from '@ostracon/platform-sdk/transparency';
import PDFDocument from 'pdfkit';

/**
 * The evidence file rendered for a case file (in French): the three events as the log holds
 * them, the checkpoint and its cosignatures, every hash, and how to verify it. It is a rendering
 * of the JSON bundle, which is what verifies; uncompressed, so that any tool reads its text.
 * docs/auditing.md § Evidence file.
 */
export function renderEvidencePdf(bundle: EvidenceBundle): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    compress: false,
    info: { Title: `Dossier de preuve — ordonnance ${bundle.orderId}`, Author: 'Ostracon', Subject: bundle.matchId },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const width = doc.page.width - 100;
  const heading = (text: string) => doc.moveDown(0.8).font('Helvetica-Bold').fontSize(13).text(text, { width }).moveDown(0.3);
  const para = (text: string) => doc.font('Helvetica').fontSize(10).text(text, { width }).moveDown(0.3);
  const field = (label: string, value: string) =>
    doc.font('Helvetica-Bold').fontSize(10).text(`${label} : `, { continued: true }).font('Helvetica').text(value, { width });
  const mono = (text: string) => doc.font('Courier').fontSize(7.5).text(text, { width, lineBreak: true });

  const events = {
    order: JSON.parse(bundle.events.order.leaf) as AuditEvent,
    match: JSON.parse(bundle.events.match.leaf) as AuditEvent,
    confirmation: JSON.parse(bundle.events.confirmation.leaf) as AuditEvent,
  };

  doc.font('Helvetica-Bold').fontSize(17).text('Dossier de preuve : tentative d’inscription confirmée', { width });
  doc.moveDown(0.5);
  field('Ordonnance', bundle.orderId);
  field('Tentative (matchId)', bundle.matchId);
  field('Format', bundle.format);
  para(
    'Ce document met en page le fichier de preuve JSON du même nom, extrait du journal d’audit d’Ostracon. ' +
      'C’est le fichier JSON qui fait foi : il se vérifie hors ligne (voir « Comment vérifier ce document » ci-dessous). ' +
      'Il ne contient aucune donnée d’identité : seulement des identifiants, des codes et des empreintes.',
  );

  const event = (title: string, e: AuditEvent, proven: EvidenceBundle['events']['order']) => {
    heading(title);
    field('Événement', `n° ${e.seq} (${e.type})`);
    field('Inscrit au journal le', e.at);
    field('Auteur', e.actor);
    if (e.platform) field('Plateforme', e.platform);
    for (const [key, value] of Object.entries(e.data ?? {})) field(key, typeof value === 'string' ? value : JSON.stringify(value));
    field('Empreinte de la feuille (leafHash)', '');
    mono(proven.leafHash);
  };
  event('1. Les termes de l’ordonnance, tels que journalisés', events.order, bundle.events.order);
  event('2. La tentative d’inscription', events.match, bundle.events.match);
  event('3. La confirmation de la plateforme', events.confirmation, bundle.events.confirmation);

  const c = bundle.checkpoint;
  heading('4. Le point de contrôle signé et ses cosignatures');
  field('Journal (origine)', c.origin);
  field('Taille de l’arbre', String(c.size));
  field('Racine (SHA-256, hexadécimal)', '');
  mono(c.rootHash);
  field('Clé du journal', `identifiant ${c.log.keyId}`);
  mono(c.log.verifierKey);
  const timestamps = new Map(
    splitNote(c.note)
      .signatures.filter((s) => c.witnesses.some((w) => w.name === s.name))
      .map((s) => [s.name, cosignatureTimestamp(s)]),
  );
  if (c.witnesses.length === 0) para('Aucun témoin n’est configuré : le point de contrôle n’est signé que par le journal.');
  for (const w of c.witnesses) {
    const at = timestamps.get(w.name);
    field(`Témoin ${w.name}`, `clé ${w.keyId}${at ? `, cosigné le ${new Date(at * 1000).toISOString()}` : ''}`);
    mono(w.verifierKey);
  }
  field('Note signée (c2sp.org/tlog-checkpoint)', '');
  mono(c.note);

  heading('5. Les empreintes et les preuves d’inclusion');
  for (const [label, e] of [
    ['Ordonnance', bundle.events.order],
    ['Tentative', bundle.events.match],
    ['Confirmation', bundle.events.confirmation],
  ] as const) {
    field(label, `feuille n° ${e.index} (événement ${e.seq}), ${e.proof.length} empreinte(s) de preuve`);
    mono([`leafHash ${e.leafHash}`, ...e.proof.map((p, i) => `preuve[${i}] ${p}`)].join('\n'));
  }

  heading('Comment vérifier ce document');
  para(
    'Demandez le fichier de preuve JSON (GET /v1/orders/' +
      `${bundle.orderId}/evidence/${bundle.matchId}, ou le lien « Fichier de preuve » de la page de l’ordonnance dans la console) et vérifiez-le, sans réseau, avec les clés publiques que vous tenez pour sûres : ` +
      'la clé du journal (GET /v1/audit/public-key, noteVerifierKey) et celles des témoins que vous reconnaissez.',
  );
  para('1. Avec le SDK (@ostracon/platform-sdk) : transparency.verifyEvidence(fichier, { logKey, witnessKeys, quorum }).');
  para(
    '2. En ligne de commande : npm run cli -- verify-evidence preuve.json --log-key <clé du journal> --witness <clé d’un témoin> [--quorum n].',
  );
  para(
    '3. À la main, selon docs/auditing.md § Evidence file : pour chaque événement, SHA-256(0x00 ‖ leaf) doit donner leafHash ; ' +
      'la preuve d’inclusion (RFC 9162) doit mener de leafHash à la racine du point de contrôle ; la signature Ed25519 du journal ' +
      'et les cosignatures des témoins doivent vérifier sur le texte de la note ; les trois événements doivent nommer la même ordonnance ' +
      'et la même tentative, et la confirmation dire « confirmed ».',
  );
  para(
    'Un seul octet modifié dans le fichier JSON fait échouer la vérification. Ce document PDF n’est qu’une mise en page : en cas de doute, seul le fichier JSON vérifié fait foi.',
  );

  doc.end();
  return ended;
}
