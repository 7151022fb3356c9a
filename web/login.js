// login.js — the Connexion page: e-mail and password, the API's own error
// messages (wrong password, too many attempts) shown as they come.
import * as api from './api.js';
import { h, fill, field, errorBox } from './dom.js';

export function renderLogin(ctx, onDone) {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const status = h('div', { class: 'zone-erreur' });
  const button = h('button', { type: 'submit', class: 'primaire' }, 'Se connecter');
  const form = h('form', { class: 'carte etroite', novalidate: true },
    h('h1', null, 'Connexion'),
    h('p', { class: 'discret' }, 'Import de fichiers de leads dans le CRM.'),
    status,
    field('E-mail', email),
    field('Mot de passe', password),
    h('div', { class: 'actions' }, button));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    fill(status);
    if (!email.value.trim() || !password.value) {
      fill(status, errorBox('Saisissez votre e-mail et votre mot de passe.'));
      (email.value.trim() ? password : email).focus();
      return;
    }
    button.disabled = true;
    button.textContent = 'Connexion…';
    try {
      const session = await api.post('/api/session', { email: email.value.trim(), password: password.value });
      onDone(session);
    } catch (e) {
      fill(status, errorBox(e));
      password.value = '';
      password.focus();
    } finally {
      button.disabled = false;
      button.textContent = 'Se connecter';
    }
  });
  fill(ctx.main, form);
}
