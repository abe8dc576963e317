import '@gouvfr/dsfr/dist/dsfr.min.css';
// The icon families the console uses, not all of them (each icon is inlined in the CSS).
import '@gouvfr/dsfr/dist/utility/icons/icons-system/icons-system.min.css';
import '@gouvfr/dsfr/dist/utility/icons/icons-arrows/icons-arrows.min.css';
import '@gouvfr/dsfr/dist/utility/icons/icons-user/icons-user.min.css';
import '@gouvfr/dsfr/dist/utility/icons/icons-business/icons-business.min.css';
import '@gouvfr/dsfr/dist/utility/icons/icons-document/icons-document.min.css';
import './console.css';
// Its settings first (./dsfr), then the design system's script, bundled: served from the site itself.
import { startDsfr } from './dsfr';
import '@gouvfr/dsfr/dist/dsfr.module.min.js';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
// After React's first render: DSFR then watches the DOM for what React adds later.
startDsfr();
