import { signIn } from './api';
import { messages as t } from './i18n';

/**
 * What a signed-out visitor of /console/ sees (issue 29): what the service is, who may use it,
 * and ProConnect's button as ProConnect's documentation gives it for a site on the DSFR
 * (`bouton_proconnect.md`: the DSFR's FranceConnect button, named ProConnect, its link "Qu’est-ce
 * que ProConnect ?" to proconnect.gouv.fr, and its logo by the CSS rule of console.css, served
 * from the site). The button starts the sign-in with whichever provider the service uses: with
 * the development provider, the same page and the same button.
 */
export function SignedOutPage() {
  return (
    <div className="fr-grid-row fr-grid-row--gutters" data-testid="signed-out">
      <div className="fr-col-12 fr-col-md-8">
        <h1>{t.signedOut.title}</h1>
        <p className="fr-text--lead">{t.signedOut.intro}</p>
        <div className="fr-callout fr-mb-4w">
          <h2 className="fr-callout__title">{t.signedOut.whoTitle}</h2>
          <p className="fr-callout__text">{t.signedOut.who}</p>
        </div>
        <div className="fr-connect-group">
          <button className="fr-connect" type="button" onClick={signIn} data-testid="proconnect">
            <span className="fr-connect__login">{t.signedOut.login}</span> <span className="fr-connect__brand">{t.signedOut.brand}</span>
          </button>
          <p>
            <a href="https://www.proconnect.gouv.fr/" target="_blank" rel="noopener noreferrer" title={t.signedOut.whatTitle}>
              {t.signedOut.what}
            </a>
          </p>
        </div>
      </div>
    </div>
  );
}
