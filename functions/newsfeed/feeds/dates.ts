/**
 * Feed dates → ISO 8601 in UTC (`2004-01-01T19:48:21.000Z`), or null. Never throws.
 *
 * Two families: RFC 3339 / W3C-DTF (Atom, dc:date, JSON Feed) and RFC 822 / RFC 2822 (RSS pubDate),
 * with what real feeds do to them: missing seconds, a missing weekday or one that disagrees with the
 * date, full month names, two-digit years (RFC 2822 §4.3: 00–49 → 20xx, 50–99 → 19xx), named zones
 * (GMT, UT, Z, EST, PDT, CET…), `+01:00` offsets in RFC 822 dates, dashed `01-Jan-2004` days, AM/PM,
 * ctime order (`Thu Jan 1 19:48:21 2004`). A missing or unknown zone is taken as UTC (RFC 2822 says an
 * unknown zone means "no information", and UTC is what every other reader assumes). Impossible dates
 * (31 April, hour 25) are null. All matching is by anchored regular expressions without nested
 * repetition, or by splitting on spaces, so the work is linear in the (capped) length.
 */

const MAX_DATE_LENGTH = 120;

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/** Offsets in minutes east of UTC for the zone names feeds use. */
const ZONES: Record<string, number> = {
  ut: 0,
  utc: 0,
  gmt: 0,
  z: 0,
  wet: 0,
  est: -300,
  edt: -240,
  cst: -360,
  cdt: -300,
  mst: -420,
  mdt: -360,
  pst: -480,
  pdt: -420,
  akst: -540,
  akdt: -480,
  hst: -600,
  ast: -240,
  adt: -180,
  nst: -210,
  ndt: -150,
  bst: 60,
  west: 60,
  cet: 60,
  met: 60,
  cest: 120,
  mest: 120,
  eet: 120,
  eest: 180,
  msk: 180,
  ist: 330,
  awst: 480,
  jst: 540,
  kst: 540,
  acst: 570,
  aest: 600,
  aedt: 660,
  nzst: 720,
  nzdt: 780,
};

const ISO_DATE =
  /^(\d{4})(?:-?(\d{2})(?:-?(\d{2})(?:[Tt ]+(\d{1,2}):?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?\s*(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?)?)?$/;
const CLOCK = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?$/;
const NUMERIC_ZONE = /^(?:gmt|ut|utc)?([+-])(\d{1,2})(?::?(\d{2}))?$/;
const DASHED_DAY = /^(\d{1,2})-([a-z]{3,9})-(\d{2,4})$/;

export function parseDate(text: string | null | undefined): string | null {
  if (typeof text !== "string") return null;
  const s = text.trim();
  if (s.length === 0 || s.length > MAX_DATE_LENGTH) return null;
  return parseIsoDate(s) ?? parseRfc822Date(s);
}

function parseIsoDate(s: string): string | null {
  const m = ISO_DATE.exec(s);
  if (!m) return null;
  const [, year, month, day, hour, minute, second, fraction, zone] = m;
  const offset = zone ? numericOffset(zone) : 0;
  if (offset === null) return null;
  return toIso({
    year: Number(year),
    month: month ? Number(month) : 1,
    day: day ? Number(day) : 1,
    hour: hour ? Number(hour) : 0,
    minute: minute ? Number(minute) : 0,
    second: second ? Number(second) : 0,
    millis: fraction ? Number(fraction.slice(0, 3).padEnd(3, "0")) : 0,
    offset,
  });
}

/** `Z`, `UTC`, `+01:00`, `-0500`, `+01` → minutes east of UTC; null when it is no offset. */
function numericOffset(zone: string): number | null {
  const lower = zone.toLowerCase();
  if (lower in ZONES) return ZONES[lower]!;
  const m = NUMERIC_ZONE.exec(lower);
  if (!m) return null;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  if (Number(m[2]) > 23 || Number(m[3] ?? 0) > 59) return null;
  return m[1] === "-" ? -minutes : minutes;
}

interface DateParts {
  year?: number;
  month?: number;
  day?: number;
  hour: number;
  minute: number;
  second: number;
  millis: number;
  offset: number;
}

function parseRfc822Date(s: string): string | null {
  const tokens = s
    .toLowerCase()
    .replace(/\([^)]*\)/g, " ") // RFC 2822 comments, e.g. "+0000 (UTC)"
    .replace(/,/g, " ")
    .split(/\s+/)
    .filter((t) => t.length > 0)
    .flatMap((t) => {
      const dashed = DASHED_DAY.exec(t); // RFC 850: "Thursday, 01-Jan-04 19:48:21 GMT"
      return dashed ? [dashed[1]!, dashed[2]!, dashed[3]!] : [t];
    });
  const parts: DateParts = { hour: 0, minute: 0, second: 0, millis: 0, offset: 0 };
  let pm: boolean | undefined;
  let sawTime = false;
  let sawZone = false;
  for (const token of tokens) {
    const month = MONTHS.indexOf(token.slice(0, 3));
    const clock = CLOCK.exec(token);
    if (/^[a-z]+\.?$/.test(token) && month >= 0 && parts.month === undefined) {
      parts.month = month + 1;
    } else if (WEEKDAYS.includes(token.slice(0, 3)) && /^[a-z]+\.?$/.test(token)) {
      // The weekday is redundant and often wrong; ignore it.
    } else if (/^\d+$/.test(token) && token.length <= 2 && parts.day === undefined && !sawTime) {
      parts.day = Number(token);
    } else if (/^\d+$/.test(token) && token.length <= 4 && parts.year === undefined) {
      parts.year = expandYear(token);
    } else if (clock && !sawTime) {
      sawTime = true;
      parts.hour = Number(clock[1]);
      parts.minute = Number(clock[2]);
      parts.second = clock[3] ? Number(clock[3]) : 0;
      parts.millis = clock[4] ? Number(clock[4].slice(0, 3).padEnd(3, "0")) : 0;
    } else if ((token === "am" || token === "pm") && sawTime) {
      pm = token === "pm";
    } else if (!sawZone && sawTime) {
      sawZone = true;
      const offset = numericOffset(token);
      // Unknown alphabetic zones (and RFC 822 military letters) count as UTC; anything else is junk.
      if (offset === null && !/^[a-z]{1,5}$/.test(token)) return null;
      parts.offset = offset ?? 0;
    } else {
      return null;
    }
  }
  if (parts.year === undefined || parts.month === undefined || parts.day === undefined) return null;
  if (pm !== undefined) {
    if (parts.hour < 1 || parts.hour > 12) return null;
    parts.hour = (parts.hour % 12) + (pm ? 12 : 0);
  }
  return toIso(parts as Required<DateParts>);
}

function expandYear(token: string): number {
  const n = Number(token);
  if (token.length === 2) return n < 50 ? 2000 + n : 1900 + n;
  if (token.length === 3) return 1900 + n; // RFC 2822 §4.3: three-digit years add 1900
  return n;
}

/** Validates every field (no rolling 31 April over into May) and shifts by the offset. */
function toIso(p: Required<DateParts>): string | null {
  const { year, month, day, hour, minute } = p;
  const second = p.second === 60 ? 59 : p.second; // a leap second, kept in the same minute
  if (year < 1 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // not Date.UTC: it maps years 0–99 to 1900–1999
  if (date.getUTCDate() !== day) return null;
  date.setUTCHours(hour, minute, second, p.millis);
  const time = date.getTime() - p.offset * 60_000;
  if (!Number.isFinite(time)) return null;
  const shifted = new Date(time);
  const shiftedYear = shifted.getUTCFullYear();
  if (shiftedYear < 1 || shiftedYear > 9999) return null;
  return shifted.toISOString();
}
