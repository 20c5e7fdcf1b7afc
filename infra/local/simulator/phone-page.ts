/**
 * The customer's phone, as one self-contained page served by the simulator (local only).
 * pt-BR first, English on a switch.
 */
import type { SimNumber } from './server.ts';

const strings = {
  'pt-BR': {
    title: 'Telefone do cliente (simulador)',
    yourNumber: 'Seu número',
    yourName: 'Seu nome',
    business: 'Empresa',
    placeholder: 'Mensagem',
    send: 'Enviar',
    file: 'Arquivo',
    location: 'Localização',
    voice: 'Áudio',
    voiceNote: 'Mensagem de voz',
    read: 'lida',
    delivered: 'entregue',
    sent: 'enviada',
    choose: 'Escolher',
    empty: 'Nenhuma mensagem ainda. Escreva para a empresa.',
  },
  en: {
    title: 'Customer phone (simulator)',
    yourNumber: 'Your number',
    yourName: 'Your name',
    business: 'Business',
    placeholder: 'Message',
    send: 'Send',
    file: 'File',
    location: 'Location',
    voice: 'Audio',
    voiceNote: 'Voice message',
    read: 'read',
    delivered: 'delivered',
    sent: 'sent',
    choose: 'Choose',
    empty: 'No messages yet. Write to the business.',
  },
};

export function phonePage(numbers: SimNumber[]): string {
  return `<!doctype html>
<html lang="pt-BR"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Atende — simulador</title>
<style>
body{margin:0;font-family:system-ui,sans-serif;background:#e5ddd5;display:flex;justify-content:center}
.phone{width:min(420px,100vw);height:100vh;display:flex;flex-direction:column;background:#efeae2}
header{background:#075e54;color:#fff;padding:10px;display:grid;gap:6px}
header input,header select{font:inherit;padding:4px;border-radius:4px;border:0}
.row{display:flex;gap:6px;align-items:center}
#log{flex:1;overflow-y:auto;padding:10px;display:flex;flex-direction:column;gap:6px}
.msg{max-width:80%;padding:6px 10px;border-radius:8px;background:#fff;box-shadow:0 1px 1px #0002;white-space:pre-wrap}
.customer{align-self:flex-end;background:#dcf8c6}
.business{align-self:flex-start}
.st{font-size:11px;color:#667;text-align:right}
.opt{display:block;margin-top:4px;width:100%;padding:6px;border:1px solid #075e54;background:#fff;color:#075e54;border-radius:6px;cursor:pointer}
footer{display:flex;gap:6px;padding:8px;background:#f0f0f0}
footer input[type=text]{flex:1;padding:8px;border-radius:18px;border:1px solid #ccc}
button{cursor:pointer}
img,video{max-width:100%}
</style></head>
<body><div class="phone">
<header>
  <div class="row"><strong id="t-title"></strong><select id="lang" aria-label="Idioma / Language" style="margin-left:auto"><option value="pt-BR">PT</option><option value="en">EN</option></select></div>
  <div class="row"><label id="t-yourNumber" for="from"></label><input id="from" data-testid="sim-from" value="5511988887777" size="14"></div>
  <div class="row"><label id="t-yourName" for="name"></label><input id="name" data-testid="sim-name" value="Cliente Teste" size="14"></div>
  <div class="row"><label id="t-business" for="pnid"></label><select id="pnid">${numbers
    .map((n) => `<option value="${n.phoneNumberId}">${n.name} (+${n.displayPhone})</option>`)
    .join('')}</select></div>
</header>
<div id="log" data-testid="sim-log"></div>
<footer>
  <input type="file" id="file" hidden>
  <button id="b-file" title="Arquivo" aria-label="Arquivo"><svg width="20" height="20" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M16.5 6.5 8.6 14.4a2 2 0 0 0 2.8 2.8l8-8a4 4 0 0 0-5.6-5.6l-8 8a6 6 0 0 0 8.5 8.5l7.2-7.2" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/></svg></button>
  <button id="b-loc" title="Localização" aria-label="Localização"><svg width="20" height="20" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M12 2a7 7 0 0 0-7 7c0 5 7 13 7 13s7-8 7-13a7 7 0 0 0-7-7zm0 9.5A2.5 2.5 0 1 1 12 6.5a2.5 2.5 0 0 1 0 5z" fill="currentColor"/></svg></button>
  <input type="text" id="text" data-testid="sim-text" aria-label="Mensagem">
  <button id="b-send" data-testid="sim-send" aria-label="Enviar">Enviar</button>
</footer></div>
<script type="module">
const S = ${JSON.stringify(strings)};
let lang = localStorage.getItem('sim.lang') || 'pt-BR';
const $ = (id) => document.getElementById(id);
function applyLang(){ const t=S[lang]; document.documentElement.lang=lang; $('lang').value=lang;
  for (const k of ['title','yourNumber','yourName','business']) $('t-'+k).textContent=t[k];
  $('text').placeholder=t.placeholder; $('b-send').textContent=t.send;
  $('text').setAttribute('aria-label',t.placeholder); $('b-send').setAttribute('aria-label',t.send);
  for (const [id,k] of [['b-file','file'],['b-loc','location']]) { $(id).title=t[k]; $(id).setAttribute('aria-label',t[k]); }
  render(); }
$('lang').onchange=(e)=>{lang=e.target.value;localStorage.setItem('sim.lang',lang);applyLang();};
for (const id of ['from','name']) { const v=localStorage.getItem('sim.'+id); if(v) $(id).value=v; $(id).onchange=()=>{localStorage.setItem('sim.'+id,$(id).value);load();}; }
let messages=[];
const digits=(s)=>s.replace(/\\D/g,'');
const mine=(m)=>m.customer.endsWith(digits($('from').value).slice(-8));
async function load(){ const r=await fetch('/sim/outbox?to='+digits($('from').value)); messages=(await r.json()).messages; render(); }
function text(m){ const p=m.payload;
  if(m.shown) return m.shown;
  if(m.type==='text') return p.text?.body ?? '';
  if(m.type==='interactive'){ const i=p.interactive; if(i.list_reply) return i.list_reply.title; if(i.button_reply) return i.button_reply.title; return i.body?.text ?? ''; }
  if(m.type==='location') return '📍 '+(p.location?.name ?? (p.location?.latitude+', '+p.location?.longitude));
  if(m.type==='contacts') return (p.contacts ?? []).map((c)=>'👤 '+(c.name?.formatted_name ?? '')+(c.phones ?? []).map((x)=>'\\n'+x.phone).join('')).join('\\n');
  if(m.type==='audio' && p.audio?.voice) return '🎤 '+S[lang].voiceNote;
  const media=p[m.type]; return media?.caption ?? media?.filename ?? m.type; }
function render(){ const t=S[lang]; const log=$('log'); log.innerHTML='';
  const list=messages.filter(mine);
  if(!list.length){ const e=document.createElement('p'); e.textContent=t.empty; e.style.color='#667'; log.append(e); }
  for(const m of list){ const d=document.createElement('div'); d.className='msg '+m.direction; d.dataset.testid='sim-message'; d.setAttribute('data-testid','sim-message');
    const p=m.payload; const media=p[m.type];
    if(m.direction==='business' && (media?.id || media?.link) && ['image','sticker'].includes(m.type)){ const img=document.createElement('img'); img.src=media.id ? '/sim/media/'+media.id : media.link; d.append(img); }
    if(m.direction==='business' && (media?.id || media?.link) && ['audio','video'].includes(m.type)){ const el=document.createElement(m.type); el.controls=true; el.preload='metadata'; el.src=media.id ? '/sim/media/'+media.id : media.link; el.setAttribute('data-testid','sim-'+(media.voice ? 'voice' : m.type)); d.append(el); }
    const body=document.createElement('div'); body.textContent=text(m); d.append(body);
    if(m.direction==='business' && m.type==='interactive'){ const i=p.interactive;
      for(const s of i.action?.sections ?? []) for(const r of s.rows ?? []){ const b=document.createElement('button'); b.className='opt'; b.textContent=r.title; b.onclick=()=>send({type:'interactive', interactive:{type:'list_reply', list_reply:{id:r.id,title:r.title,description:r.description}}, replyTo:m.wamid}); d.append(b); }
      for(const x of i.action?.buttons ?? []){ const b=document.createElement('button'); b.className='opt'; b.textContent=x.reply.title; b.onclick=()=>send({type:'interactive', interactive:{type:'button_reply', button_reply:x.reply}, replyTo:m.wamid}); d.append(b); } }
    if(m.status){ const st=document.createElement('div'); st.className='st'; st.textContent=t[m.status]||m.status; d.append(st); }
    log.append(d); }
  log.scrollTop=log.scrollHeight; seen(); }
async function seen(){ if(document.visibilityState!=='visible') return;
  const ids=messages.filter((m)=>mine(m) && m.direction==='business' && m.status!=='read').map((m)=>m.wamid);
  if(ids.length) await fetch('/sim/customer/seen',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({wamids:ids})}); }
async function send(extra){ await fetch('/sim/customer/send',{method:'POST',headers:{'content-type':'application/json'},
  body:JSON.stringify({from:digits($('from').value), name:$('name').value, phoneNumberId:$('pnid').value, ...extra})}); }
$('b-send').onclick=async()=>{ const v=$('text').value.trim(); if(!v) return; $('text').value=''; await send({type:'text', text:v}); };
$('text').onkeydown=(e)=>{ if(e.key==='Enter'){ e.preventDefault(); $('b-send').click(); } };
$('b-loc').onclick=()=>send({type:'location', location:{latitude:-23.5614, longitude:-46.6559, name:'Av. Paulista, São Paulo'}});
$('b-file').onclick=()=>$('file').click();
$('file').onchange=async()=>{ const f=$('file').files[0]; if(!f) return; const buf=new Uint8Array(await f.arrayBuffer()); let bin=''; for(const b of buf) bin+=String.fromCharCode(b);
  const type=f.type.startsWith('image/')?'image':f.type.startsWith('audio/')?'audio':f.type.startsWith('video/')?'video':'document';
  await send({type, media:{base64:btoa(bin), mimeType:f.type||'application/octet-stream', filename:f.name, voice:type==='audio'}}); $('file').value=''; };
const es=new EventSource('/sim/events'); es.onmessage=(e)=>{ const m=JSON.parse(e.data); const i=messages.findIndex((x)=>x.wamid===m.wamid); if(i>=0) messages[i]=m; else messages.push(m); render(); };
document.addEventListener('visibilitychange', seen);
applyLang(); load();
</script></body></html>`;
}
