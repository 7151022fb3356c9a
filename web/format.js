// format.js — French formatting: numbers with a narrow no-break space
// between thousands (Intl fr-FR), dates JJ/MM/AAAA HH:MM, durations in words,
// the French names of the import states.

const nf = new Intl.NumberFormat('fr-FR');
const nf1 = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 });

export function num(n) {
  return n === null || n === undefined ? '—' : nf.format(n);
}

export function num1(n) {
  return n === null || n === undefined ? '—' : nf1.format(n);
}

export function pct(part, whole) {
  if (!whole) return '0 %';
  return `${nf1.format((100 * part) / whole)} %`;
}

const two = (n) => String(n).padStart(2, '0');

/** "2026-12-02T08:12:10.482Z" → "02/12/2026 09:12" (local time). */
export function dateTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return `${two(d.getDate())}/${two(d.getMonth() + 1)}/${d.getFullYear()} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

function plural(n, one, many) {
  return `${nf.format(n)} ${n > 1 ? many : one}`;
}

/** Seconds → "moins d'une seconde", "42 secondes", "3 minutes 5 secondes", "1 heure 2 minutes". */
export function duration(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return '—';
  const s = Math.round(seconds);
  if (s < 1) return "moins d'une seconde";
  if (s < 60) return plural(s, 'seconde', 'secondes');
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0) return m ? `${plural(h, 'heure', 'heures')} ${plural(m, 'minute', 'minutes')}` : plural(h, 'heure', 'heures');
  return r ? `${plural(m, 'minute', 'minutes')} ${plural(r, 'seconde', 'secondes')}` : plural(m, 'minute', 'minutes');
}

export const STATES = {
  uploaded: 'déposé',
  queued: 'en attente',
  parsing: 'analyse',
  ready: 'prêt à importer',
  importing: 'import en cours',
  completed: 'terminé',
  failed: 'échec',
  cancelled: 'annulé',
  rejected: 'refusé',
  reverted: 'défait',
};

export function stateLabel(s) {
  return STATES[s] || s;
}

export const PHASES = {
  upload: 'dépôt',
  parse: 'lecture et vérification',
  commit: 'enregistrement des leads',
  report: 'rapport',
  done: 'terminé',
};

export function phaseLabel(p) {
  return p ? PHASES[p] || p : '—';
}

/** Bytes → "12,5 Ko", "3,1 Mo". */
export function size(bytes) {
  if (bytes === null || bytes === undefined) return '—';
  if (bytes < 1024) return `${nf.format(bytes)} octets`;
  if (bytes < 1024 * 1024) return `${nf1.format(bytes / 1024)} Ko`;
  if (bytes < 1024 * 1024 * 1024) return `${nf1.format(bytes / (1024 * 1024))} Mo`;
  return `${nf1.format(bytes / (1024 * 1024 * 1024))} Go`;
}
