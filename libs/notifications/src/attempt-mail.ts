/**
 * The one mail people get of an attempt (docs/attempts.md § E-mails): it says there is something
 * to read, with a link to the console's inbox, and nothing else — no identity value, no order, no
 * court reference, no platform: a mailbox is not a place for a court's file.
 */
export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export function attemptMail(publicUrl: string): RenderedMail {
  const link = `${publicUrl}/console/#/attempts`;
  const text = [
    'Bonjour,',
    '',
    'Une nouvelle tentative est à consulter dans la console Ostracon, sur une mesure de votre organisation.',
    '',
    `Pour la lire, connectez-vous : ${link}`,
    '',
    'Vous recevez ce message parce que vous avez demandé à être prévenu(e) des tentatives. Vous pouvez cesser de le recevoir depuis la page « Tentatives » de la console.',
  ].join('\n');
  const html = [
    '<p>Bonjour,</p>',
    '<p>Une nouvelle tentative est à consulter dans la console Ostracon, sur une mesure de votre organisation.</p>',
    `<p><a href="${link}">Consulter les tentatives</a></p>`,
    '<p>Vous recevez ce message parce que vous avez demandé à être prévenu(e) des tentatives. Vous pouvez cesser de le recevoir depuis la page « Tentatives » de la console.</p>',
  ].join('\n');
  return { subject: 'Ostracon : une nouvelle tentative à consulter', text, html };
}
