// api.js — the HTTP API, and nothing else: JSON requests with the session
// cookie and the CSRF token, the upload with its progress, the live events.
// Errors are ApiError with the server's French message: the page shows it
// as it is, it never invents one of its own for a refusal of the API.

let csrf = null;

export class ApiError extends Error {
  constructor(status, code, message, body) {
    super(message);
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

/** Called on a 401 anywhere: the app goes back to the login page. */
let onSessionLost = () => {};
export function setSessionLost(f) { onSessionLost = f; }

export function setCsrf(token) { csrf = token; }

function networkError() {
  return new ApiError(0, 'network', 'Le serveur ne répond pas : vérifiez votre connexion, puis réessayez.', null);
}

async function toError(res) {
  let body = null;
  try { body = await res.json(); } catch (_) { body = null; }
  const e = body && body.error;
  if (e && e.message) return new ApiError(res.status, e.code, e.message, body);
  return new ApiError(res.status, 'http_' + res.status, `Le serveur a répondu ${res.status} sans explication.`, body);
}

/** A JSON request; resolves to the parsed answer (null for 204). */
export async function request(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, {
      method, headers, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (_) {
    throw networkError();
  }
  if (!res.ok) {
    const err = await toError(res);
    if (res.status === 401 && path !== '/api/session') onSessionLost(err);
    throw err;
  }
  if (res.status === 204) return null;
  return res.json();
}

export const get = (p) => request('GET', p);
export const post = (p, b) => request('POST', p, b);
export const put = (p, b) => request('PUT', p, b);
export const del = (p) => request('DELETE', p);

/**
 * Uploads file as the body of POST /api/imports?filename=… with
 * XMLHttpRequest (fetch has no upload progress). onProgress(sent, total).
 * Resolves {status, body}; rejects ApiError (409 carries body.previous_job_id).
 */
export function upload(file, force, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    let url = `/api/imports?filename=${encodeURIComponent(file.name)}`;
    if (force) url += '&force=1';
    xhr.open('POST', url);
    xhr.setRequestHeader('X-CSRF-Token', csrf || '');
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.addEventListener('progress', (ev) => {
      if (ev.lengthComputable) onProgress(ev.loaded, ev.total);
    });
    xhr.addEventListener('load', () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch (_) { body = null; }
      if (xhr.status >= 200 && xhr.status < 300) { resolve({ status: xhr.status, body }); return; }
      const e = body && body.error;
      const err = e ? new ApiError(xhr.status, e.code, e.message, body)
        : new ApiError(xhr.status, 'http_' + xhr.status, `Le serveur a répondu ${xhr.status} sans explication.`, body);
      if (xhr.status === 401) onSessionLost(err);
      reject(err);
    });
    xhr.addEventListener('error', () => reject(networkError()));
    xhr.addEventListener('abort', () => reject(new ApiError(0, 'aborted', 'Envoi interrompu.', null)));
    xhr.send(file);
  });
}

/**
 * Follows GET /api/imports/{id}/events. onJob(job) for each event, onEnd(job)
 * once at the end. EventSource reconnects by itself with Last-Event-ID.
 * Returns a function that stops following.
 */
export function follow(id, onJob, onEnd, onTrouble) {
  const es = new EventSource(`/api/imports/${id}/events`);
  let done = false;
  const read = (ev) => { try { return JSON.parse(ev.data); } catch (_) { return null; } };
  es.addEventListener('progress', (ev) => { const j = read(ev); if (j) onJob(j); });
  es.addEventListener('end', (ev) => {
    done = true;
    es.close();
    const j = read(ev);
    onEnd(j);
  });
  es.addEventListener('error', () => {
    // A closed stream after "end" is normal; otherwise the browser retries.
    if (!done && onTrouble) onTrouble(es.readyState);
  });
  return () => { done = true; es.close(); };
}
