/* global window */
// Public directory enhancements. Everything here is optional: the pages work without it.
// - "Print" buttons appear and print the page.
// - Search results get a map: map tiles when the LIO configured a tile server (data-tiles),
//   otherwise numbered markers on a plain SVG drawing, with the places' names, the searched postcode and a
//   scale, since there are no streets to read. The numbered list stays the way to read results.

for (const button of document.querySelectorAll('[data-print]')) {
  button.hidden = false;
  button.addEventListener('click', () => window.print());
}

function drawMap(root) {
  // Each result's number, name and link are those of the list, so the markers say what the list says.
  const list = document.querySelector('.cg-results');
  const first = Number(list?.getAttribute('start')) || 1;
  const points = [...document.querySelectorAll('[data-result]')].map((el, i) => {
    const link = el.querySelector('.cg-result__name a');
    return {
      lat: Number(el.dataset.lat), lng: Number(el.dataset.lng), name: link?.textContent.trim() ?? '', href: link?.getAttribute('href') ?? '#', number: String(first + i),
      place: el.dataset.place ?? '',
    };
  }).filter((p) => Number.isFinite(p.lat) && Number.isFinite(p.lng));
  if (points.length === 0) return;
  const centre = root.dataset.lat ? { lat: Number(root.dataset.lat), lng: Number(root.dataset.lng) } : null;
  const radius = Number(root.dataset.radius) || 0;
  root.hidden = false;
  const heading = document.createElement('h3');
  heading.className = 'govuk-visually-hidden';
  heading.textContent = 'Map of the services found. The numbers match the list below.';
  root.before(heading);
  if (root.dataset.tiles) tileMap(root, points, centre, radius, root.dataset.tiles);
  else svgMap(root, points, centre, radius, { postcode: root.dataset.postcode ?? '', unit: root.dataset.unit === 'km' ? 'km' : 'miles' });
}

// Web Mercator, in pixels of a world 256 × 2^zoom wide.
const project = (lat, lng, zoom) => {
  const size = 256 * 2 ** zoom;
  const s = Math.sin((Math.max(-85, Math.min(85, lat)) * Math.PI) / 180);
  return { x: ((lng + 180) / 360) * size, y: (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * size };
};

// The box around the results and the searched postcode, with a margin; the search circle may run past it.
function bounds(points, centre) {
  const all = centre ? [...points, centre] : points;
  let minLat = Math.min(...all.map((p) => p.lat)); let maxLat = Math.max(...all.map((p) => p.lat));
  let minLng = Math.min(...all.map((p) => p.lng)); let maxLng = Math.max(...all.map((p) => p.lng));
  const padLat = Math.max((maxLat - minLat) * 0.1, 0.002); const padLng = Math.max((maxLng - minLng) * 0.1, 0.003);
  minLat -= padLat; maxLat += padLat; minLng -= padLng; maxLng += padLng;
  return { minLat, maxLat, minLng, maxLng };
}

function marker(p) {
  const a = document.createElement('a');
  a.className = 'cg-map__marker';
  a.href = p.href;
  a.textContent = p.number;
  a.setAttribute('aria-label', `${p.number}. ${p.name}`);
  a.title = p.name;
  return a;
}

function tileMap(root, points, centre, radius, template) {
  const width = root.clientWidth; const height = root.clientHeight;
  const b = bounds(points, centre);
  let zoom = 17;
  for (; zoom > 2; zoom--) {
    const tl = project(b.maxLat, b.minLng, zoom); const br = project(b.minLat, b.maxLng, zoom);
    if (br.x - tl.x < width - 40 && br.y - tl.y < height - 40) break;
  }
  const mid = project((b.minLat + b.maxLat) / 2, (b.minLng + b.maxLng) / 2, zoom);
  const left = mid.x - width / 2; const top = mid.y - height / 2;
  const tiles = document.createElement('div');
  tiles.className = 'cg-map__tiles';
  const max = 2 ** zoom;
  for (let x = Math.floor(left / 256); x <= Math.floor((left + width) / 256); x++) {
    for (let y = Math.floor(top / 256); y <= Math.floor((top + height) / 256); y++) {
      if (y < 0 || y >= max) continue;
      const img = document.createElement('img');
      img.alt = '';
      img.src = template.replace('{z}', zoom).replace('{x}', ((x % max) + max) % max).replace('{y}', y).replace('{s}', 'a');
      img.style.left = `${x * 256 - left}px`; img.style.top = `${y * 256 - top}px`;
      tiles.append(img);
    }
  }
  root.append(tiles);
  const place = (el, lat, lng) => {
    const p = project(lat, lng, zoom);
    el.style.left = `${p.x - left}px`; el.style.top = `${p.y - top}px`;
    root.append(el);
  };
  if (centre) {
    const c = document.createElement('span');
    c.className = 'cg-map__centre'; c.title = 'The postcode you searched';
    place(c, centre.lat, centre.lng);
  }
  for (const p of points) place(marker(p), p.lat, p.lng);
  const credit = document.createElement('p');
  credit.className = 'cg-map__credit';
  credit.textContent = `Map tiles: ${new URL(template.replace(/[{}]/g, '')).hostname}`;
  root.append(credit);
}

// The longest round distance whose bar fits in `room` pixels, in the unit the search was made in.
const SCALE_STEPS = [0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 20, 50, 100];
function scaleBar(pixelsPerMetre, room, unit) {
  const metresPerUnit = unit === 'km' ? 1000 : 1609.344;
  const fits = SCALE_STEPS.filter((step) => step * metresPerUnit * pixelsPerMetre <= room);
  const step = fits.length ? fits[fits.length - 1] : SCALE_STEPS[0];
  const words = unit === 'km' ? `${step} km` : `${step} ${step === 1 ? 'mile' : 'miles'}`;
  return { pixels: step * metresPerUnit * pixelsPerMetre, words };
}

function svgMap(root, points, centre, radius, { postcode, unit }) {
  const ns = 'http://www.w3.org/2000/svg';
  // Drawn at the panel's own size, so names and numbers are as large on a phone as on a desktop.
  const width = root.clientWidth || 600; const height = root.clientHeight || 340; const pad = 24;
  const b = bounds(points, centre);
  const midLat = (b.minLat + b.maxLat) / 2;
  const k = Math.cos((midLat * Math.PI) / 180);
  const spanX = Math.max((b.maxLng - b.minLng) * k, 0.002); const spanY = Math.max(b.maxLat - b.minLat, 0.002);
  const scale = Math.min((width - 2 * pad) / spanX, (height - 2 * pad) / spanY);
  const cx = (b.minLng + b.maxLng) / 2; const cy = midLat;
  const xy = (lat, lng) => ({ x: width / 2 + (lng - cx) * k * scale, y: height / 2 - (lat - cy) * scale });
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('role', 'group');
  svg.setAttribute('aria-label', 'Map of the services found');
  const el = (name, attrs, parent = svg) => {
    const node = document.createElementNS(ns, name);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
    parent.append(node);
    return node;
  };
  if (centre) {
    const c = xy(centre.lat, centre.lng);
    if (radius) el('circle', { cx: c.x, cy: c.y, r: (radius / 111320) * scale, fill: '#ffffff', 'fill-opacity': 0.6, stroke: '#505a5f', 'stroke-dasharray': '6 4', 'aria-hidden': 'true' });
    el('rect', { x: c.x - 7, y: c.y - 7, width: 14, height: 14, fill: '#d4351c', stroke: '#ffffff', 'stroke-width': 2, 'aria-hidden': 'true' });
  }
  // Names beside the markers and the postcode's square, each once, and none over another: the drawing's only
  // landmarks. Hidden from screen readers, which hear each marker's name and the list.
  const taken = [];
  const label = (text, x, y, className) => {
    if (!text) return;
    const w = text.length * 7.5 + 6; const h = 18;
    const right = x + 18 + w <= width;
    const box = { x: right ? x + 16 : x - 16 - w, y: y - h / 2, w, h };
    if (taken.some((b) => box.x < b.x + b.w && b.x < box.x + box.w && box.y < b.y + b.h && b.y < box.y + box.h)) return;
    taken.push(box);
    const t = el('text', { x: right ? x + 18 : x - 18, y: y + 5, 'text-anchor': right ? 'start' : 'end', class: className, 'aria-hidden': 'true' });
    t.textContent = text;
  };
  const at = points.map((p) => ({ p, ...xy(p.lat, p.lng) }));
  // Markers leave room for themselves first, so a name never covers one.
  for (const m of at) taken.push({ x: m.x - 14, y: m.y - 14, w: 28, h: 28 });
  if (centre) {
    const c = xy(centre.lat, centre.lng);
    taken.push({ x: c.x - 8, y: c.y - 8, w: 16, h: 16 });
    label(postcode, c.x, c.y, 'cg-map__label cg-map__label--postcode');
  }
  const named = new Set();
  for (const m of at) {
    if (named.has(m.p.place)) continue;
    named.add(m.p.place);
    label(m.p.place, m.x, m.y, 'cg-map__label');
  }
  const bar = scaleBar(scale / 111320, width / 4, unit);
  const g = el('g', { class: 'cg-map__scale', 'aria-hidden': 'true' });
  el('path', { d: `M${pad} ${height - 26}v6h${bar.pixels}v-6`, fill: 'none', stroke: '#0b0c0c', 'stroke-width': 2 }, g);
  el('text', { x: pad, y: height - 30, class: 'cg-map__label' }, g).textContent = bar.words;
  for (const m of [...at].reverse()) {
    const a = el('a', { href: m.p.href, 'aria-label': `${m.p.number}. ${m.p.name}` });
    el('title', {}, a).textContent = m.p.name;
    el('circle', { cx: m.x, cy: m.y, r: 13, fill: '#0b6e4f', stroke: '#ffffff', 'stroke-width': 2 }, a);
    const t = el('text', { x: m.x, y: m.y + 5, 'text-anchor': 'middle', fill: '#ffffff', 'font-size': 14, 'font-weight': 700, 'font-family': 'system-ui, sans-serif' }, a);
    t.textContent = m.p.number;
  }
  root.append(svg);
}

// Last, once every function and constant above exists: the constants (project, SCALE_STEPS) are not hoisted, and
// drawing before them threw, which left the tiled map an empty panel.
const map = document.querySelector('[data-find-map]');
if (map) drawMap(map);
