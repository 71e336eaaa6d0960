/** The login form. A successful login hands the user and the CSRF token back to main. */
import { ApiError, type Api } from '../api.ts';
import { errorText } from '../components.ts';
import { field, h } from '../dom.ts';
import { t } from '../i18n.ts';
import { toMe, type Me } from '../model.ts';

export function loginView(api: Api, notice: string | null, onLoggedIn: (me: Me) => void): HTMLElement {
  const message = h('p', { class: 'notice', role: 'status', id: 'login-message' }, notice ?? '');
  if (!notice) message.hidden = true;
  const form = h('form', { class: 'card login', novalidate: true, 'aria-describedby': 'login-message' },
    h('h1', {}, t('login.title')),
    message,
    h('label', { for: 'login-email' }, t('login.email')),
    h('input', { id: 'login-email', name: 'email', type: 'email', autocomplete: 'username', required: true }),
    h('label', { for: 'login-password' }, t('login.password')),
    h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true }),
    h('button', { type: 'submit', class: 'primary' }, t('login.submit')));

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const button = form.querySelector('button')!;
    button.disabled = true;
    api.post<unknown>('/api/receiver/login', { email: field(form, 'email'), password: (form.elements.namedItem('password') as HTMLInputElement).value })
      .then((body) => {
        const me = toMe(body);
        api.csrfToken = me.csrfToken;
        onLoggedIn(me);
      })
      .catch((error: unknown) => {
        message.hidden = false;
        message.className = 'notice error';
        message.setAttribute('role', 'alert');
        message.textContent = error instanceof ApiError && error.code === 'E_LOGIN_FAILED' ? t('login.failed')
          : error instanceof ApiError && error.code === 'E_RATE_LIMITED' ? t('login.rateLimited') : errorText(error);
        button.disabled = false;
        (form.elements.namedItem('password') as HTMLInputElement).select();
      });
  });
  queueMicrotask(() => (form.elements.namedItem('email') as HTMLInputElement).focus());
  return h('main', { id: 'main', class: 'login-page' }, form);
}
