// audible-tracker-card 0.1.0: generated from frontend/ by `node frontend/build.mjs`; do not edit.
var V=globalThis,j=V.ShadowRoot&&(V.ShadyCSS===void 0||V.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,G=Symbol(),fe=new WeakMap,I=class{constructor(e,t,n){if(this._$cssResult$=!0,n!==G)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=e,this.t=t}get styleSheet(){let e=this.o,t=this.t;if(j&&e===void 0){let n=t!==void 0&&t.length===1;n&&(e=fe.get(t)),e===void 0&&((this.o=e=new CSSStyleSheet).replaceSync(this.cssText),n&&fe.set(t,e))}return e}toString(){return this.cssText}},ge=s=>new I(typeof s=="string"?s:s+"",void 0,G),J=(s,...e)=>{let t=s.length===1?s[0]:e.reduce((n,i,r)=>n+(o=>{if(o._$cssResult$===!0)return o.cssText;if(typeof o=="number")return o;throw Error("Value passed to 'css' function must be a 'css' function result: "+o+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(i)+s[r+1],s[0]);return new I(t,s,G)},me=(s,e)=>{if(j)s.adoptedStyleSheets=e.map(t=>t instanceof CSSStyleSheet?t:t.styleSheet);else for(let t of e){let n=document.createElement("style"),i=V.litNonce;i!==void 0&&n.setAttribute("nonce",i),n.textContent=t.cssText,s.appendChild(n)}},Z=j?s=>s:s=>s instanceof CSSStyleSheet?(e=>{let t="";for(let n of e.cssRules)t+=n.cssText;return ge(t)})(s):s;var{is:Je,defineProperty:Ze,getOwnPropertyDescriptor:Xe,getOwnPropertyNames:Qe,getOwnPropertySymbols:et,getPrototypeOf:tt}=Object,B=globalThis,ye=B.trustedTypes,nt=ye?ye.emptyScript:"",it=B.reactiveElementPolyfillSupport,R=(s,e)=>s,X={toAttribute(s,e){switch(e){case Boolean:s=s?nt:null;break;case Object:case Array:s=s==null?s:JSON.stringify(s)}return s},fromAttribute(s,e){let t=s;switch(e){case Boolean:t=s!==null;break;case Number:t=s===null?null:Number(s);break;case Object:case Array:try{t=JSON.parse(s)}catch{t=null}}return t}},ve=(s,e)=>!Je(s,e),_e={attribute:!0,type:String,converter:X,reflect:!1,useDefault:!1,hasChanged:ve};Symbol.metadata??=Symbol("metadata"),B.litPropertyMetadata??=new WeakMap;var _=class extends HTMLElement{static addInitializer(e){this._$Ei(),(this.l??=[]).push(e)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(e,t=_e){if(t.state&&(t.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(e)&&((t=Object.create(t)).wrapped=!0),this.elementProperties.set(e,t),!t.noAccessor){let n=Symbol(),i=this.getPropertyDescriptor(e,n,t);i!==void 0&&Ze(this.prototype,e,i)}}static getPropertyDescriptor(e,t,n){let{get:i,set:r}=Xe(this.prototype,e)??{get(){return this[t]},set(o){this[t]=o}};return{get:i,set(o){let a=i?.call(this);r?.call(this,o),this.requestUpdate(e,a,n)},configurable:!0,enumerable:!0}}static getPropertyOptions(e){return this.elementProperties.get(e)??_e}static _$Ei(){if(this.hasOwnProperty(R("elementProperties")))return;let e=tt(this);e.finalize(),e.l!==void 0&&(this.l=[...e.l]),this.elementProperties=new Map(e.elementProperties)}static finalize(){if(this.hasOwnProperty(R("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(R("properties"))){let t=this.properties,n=[...Qe(t),...et(t)];for(let i of n)this.createProperty(i,t[i])}let e=this[Symbol.metadata];if(e!==null){let t=litPropertyMetadata.get(e);if(t!==void 0)for(let[n,i]of t)this.elementProperties.set(n,i)}this._$Eh=new Map;for(let[t,n]of this.elementProperties){let i=this._$Eu(t,n);i!==void 0&&this._$Eh.set(i,t)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(e){let t=[];if(Array.isArray(e)){let n=new Set(e.flat(1/0).reverse());for(let i of n)t.unshift(Z(i))}else e!==void 0&&t.push(Z(e));return t}static _$Eu(e,t){let n=t.attribute;return n===!1?void 0:typeof n=="string"?n:typeof e=="string"?e.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(e=>this.enableUpdating=e),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(e=>e(this))}addController(e){(this._$EO??=new Set).add(e),this.renderRoot!==void 0&&this.isConnected&&e.hostConnected?.()}removeController(e){this._$EO?.delete(e)}_$E_(){let e=new Map,t=this.constructor.elementProperties;for(let n of t.keys())this.hasOwnProperty(n)&&(e.set(n,this[n]),delete this[n]);e.size>0&&(this._$Ep=e)}createRenderRoot(){let e=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return me(e,this.constructor.elementStyles),e}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(e=>e.hostConnected?.())}enableUpdating(e){}disconnectedCallback(){this._$EO?.forEach(e=>e.hostDisconnected?.())}attributeChangedCallback(e,t,n){this._$AK(e,n)}_$ET(e,t){let n=this.constructor.elementProperties.get(e),i=this.constructor._$Eu(e,n);if(i!==void 0&&n.reflect===!0){let r=(n.converter?.toAttribute!==void 0?n.converter:X).toAttribute(t,n.type);this._$Em=e,r==null?this.removeAttribute(i):this.setAttribute(i,r),this._$Em=null}}_$AK(e,t){let n=this.constructor,i=n._$Eh.get(e);if(i!==void 0&&this._$Em!==i){let r=n.getPropertyOptions(i),o=typeof r.converter=="function"?{fromAttribute:r.converter}:r.converter?.fromAttribute!==void 0?r.converter:X;this._$Em=i;let a=o.fromAttribute(t,r.type);this[i]=a??this._$Ej?.get(i)??a,this._$Em=null}}requestUpdate(e,t,n,i=!1,r){if(e!==void 0){let o=this.constructor;if(i===!1&&(r=this[e]),n??=o.getPropertyOptions(e),!((n.hasChanged??ve)(r,t)||n.useDefault&&n.reflect&&r===this._$Ej?.get(e)&&!this.hasAttribute(o._$Eu(e,n))))return;this.C(e,t,n)}this.isUpdatePending===!1&&(this._$ES=this._$EP())}C(e,t,{useDefault:n,reflect:i,wrapped:r},o){n&&!(this._$Ej??=new Map).has(e)&&(this._$Ej.set(e,o??t??this[e]),r!==!0||o!==void 0)||(this._$AL.has(e)||(this.hasUpdated||n||(t=void 0),this._$AL.set(e,t)),i===!0&&this._$Em!==e&&(this._$Eq??=new Set).add(e))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(t){Promise.reject(t)}let e=this.scheduleUpdate();return e!=null&&await e,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[i,r]of this._$Ep)this[i]=r;this._$Ep=void 0}let n=this.constructor.elementProperties;if(n.size>0)for(let[i,r]of n){let{wrapped:o}=r,a=this[i];o!==!0||this._$AL.has(i)||a===void 0||this.C(i,void 0,r,a)}}let e=!1,t=this._$AL;try{e=this.shouldUpdate(t),e?(this.willUpdate(t),this._$EO?.forEach(n=>n.hostUpdate?.()),this.update(t)):this._$EM()}catch(n){throw e=!1,this._$EM(),n}e&&this._$AE(t)}willUpdate(e){}_$AE(e){this._$EO?.forEach(t=>t.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(e)),this.updated(e)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(e){return!0}update(e){this._$Eq&&=this._$Eq.forEach(t=>this._$ET(t,this[t])),this._$EM()}updated(e){}firstUpdated(e){}};_.elementStyles=[],_.shadowRootOptions={mode:"open"},_[R("elementProperties")]=new Map,_[R("finalized")]=new Map,it?.({ReactiveElement:_}),(B.reactiveElementVersions??=[]).push("2.1.2");var re=globalThis,$e=s=>s,q=re.trustedTypes,be=q?q.createPolicy("lit-html",{createHTML:s=>s}):void 0,ke="$lit$",v=`lit$${Math.random().toFixed(9).slice(2)}$`,Ce="?"+v,st=`<${Ce}>`,A=document,P=()=>A.createComment(""),N=s=>s===null||typeof s!="object"&&typeof s!="function",oe=Array.isArray,rt=s=>oe(s)||typeof s?.[Symbol.iterator]=="function",Q=`[ 	
\f\r]`,H=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,we=/-->/g,xe=/>/g,w=RegExp(`>|${Q}(?:([^\\s"'>=/]+)(${Q}*=${Q}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`,"g"),Ae=/'/g,Se=/"/g,Te=/^(?:script|style|textarea|title)$/i,ae=s=>(e,...t)=>({_$litType$:s,strings:e,values:t}),u=ae(1),kt=ae(2),Ct=ae(3),S=Symbol.for("lit-noChange"),d=Symbol.for("lit-nothing"),Ee=new WeakMap,x=A.createTreeWalker(A,129);function Me(s,e){if(!oe(s)||!s.hasOwnProperty("raw"))throw Error("invalid template strings array");return be!==void 0?be.createHTML(e):e}var ot=(s,e)=>{let t=s.length-1,n=[],i,r=e===2?"<svg>":e===3?"<math>":"",o=H;for(let a=0;a<t;a++){let c=s[a],h,p,l=-1,f=0;for(;f<c.length&&(o.lastIndex=f,p=o.exec(c),p!==null);)f=o.lastIndex,o===H?p[1]==="!--"?o=we:p[1]!==void 0?o=xe:p[2]!==void 0?(Te.test(p[2])&&(i=RegExp("</"+p[2],"g")),o=w):p[3]!==void 0&&(o=w):o===w?p[0]===">"?(o=i??H,l=-1):p[1]===void 0?l=-2:(l=o.lastIndex-p[2].length,h=p[1],o=p[3]===void 0?w:p[3]==='"'?Se:Ae):o===Se||o===Ae?o=w:o===we||o===xe?o=H:(o=w,i=void 0);let g=o===w&&s[a+1].startsWith("/>")?" ":"";r+=o===H?c+st:l>=0?(n.push(h),c.slice(0,l)+ke+c.slice(l)+v+g):c+v+(l===-2?a:g)}return[Me(s,r+(s[t]||"<?>")+(e===2?"</svg>":e===3?"</math>":"")),n]},O=class s{constructor({strings:e,_$litType$:t},n){let i;this.parts=[];let r=0,o=0,a=e.length-1,c=this.parts,[h,p]=ot(e,t);if(this.el=s.createElement(h,n),x.currentNode=this.el.content,t===2||t===3){let l=this.el.content.firstChild;l.replaceWith(...l.childNodes)}for(;(i=x.nextNode())!==null&&c.length<a;){if(i.nodeType===1){if(i.hasAttributes())for(let l of i.getAttributeNames())if(l.endsWith(ke)){let f=p[o++],g=i.getAttribute(l).split(v),D=/([.?@])?(.*)/.exec(f);c.push({type:1,index:r,name:D[2],strings:g,ctor:D[1]==="."?te:D[1]==="?"?ne:D[1]==="@"?ie:C}),i.removeAttribute(l)}else l.startsWith(v)&&(c.push({type:6,index:r}),i.removeAttribute(l));if(Te.test(i.tagName)){let l=i.textContent.split(v),f=l.length-1;if(f>0){i.textContent=q?q.emptyScript:"";for(let g=0;g<f;g++)i.append(l[g],P()),x.nextNode(),c.push({type:2,index:++r});i.append(l[f],P())}}}else if(i.nodeType===8)if(i.data===Ce)c.push({type:2,index:r});else{let l=-1;for(;(l=i.data.indexOf(v,l+1))!==-1;)c.push({type:7,index:r}),l+=v.length-1}r++}}static createElement(e,t){let n=A.createElement("template");return n.innerHTML=e,n}};function k(s,e,t=s,n){if(e===S)return e;let i=n!==void 0?t._$Co?.[n]:t._$Cl,r=N(e)?void 0:e._$litDirective$;return i?.constructor!==r&&(i?._$AO?.(!1),r===void 0?i=void 0:(i=new r(s),i._$AT(s,t,n)),n!==void 0?(t._$Co??=[])[n]=i:t._$Cl=i),i!==void 0&&(e=k(s,i._$AS(s,e.values),i,n)),e}var ee=class{constructor(e,t){this._$AV=[],this._$AN=void 0,this._$AD=e,this._$AM=t}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(e){let{el:{content:t},parts:n}=this._$AD,i=(e?.creationScope??A).importNode(t,!0);x.currentNode=i;let r=x.nextNode(),o=0,a=0,c=n[0];for(;c!==void 0;){if(o===c.index){let h;c.type===2?h=new U(r,r.nextSibling,this,e):c.type===1?h=new c.ctor(r,c.name,c.strings,this,e):c.type===6&&(h=new se(r,this,e)),this._$AV.push(h),c=n[++a]}o!==c?.index&&(r=x.nextNode(),o++)}return x.currentNode=A,i}p(e){let t=0;for(let n of this._$AV)n!==void 0&&(n.strings!==void 0?(n._$AI(e,n,t),t+=n.strings.length-2):n._$AI(e[t])),t++}},U=class s{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(e,t,n,i){this.type=2,this._$AH=d,this._$AN=void 0,this._$AA=e,this._$AB=t,this._$AM=n,this.options=i,this._$Cv=i?.isConnected??!0}get parentNode(){let e=this._$AA.parentNode,t=this._$AM;return t!==void 0&&e?.nodeType===11&&(e=t.parentNode),e}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(e,t=this){e=k(this,e,t),N(e)?e===d||e==null||e===""?(this._$AH!==d&&this._$AR(),this._$AH=d):e!==this._$AH&&e!==S&&this._(e):e._$litType$!==void 0?this.$(e):e.nodeType!==void 0?this.T(e):rt(e)?this.k(e):this._(e)}O(e){return this._$AA.parentNode.insertBefore(e,this._$AB)}T(e){this._$AH!==e&&(this._$AR(),this._$AH=this.O(e))}_(e){this._$AH!==d&&N(this._$AH)?this._$AA.nextSibling.data=e:this.T(A.createTextNode(e)),this._$AH=e}$(e){let{values:t,_$litType$:n}=e,i=typeof n=="number"?this._$AC(e):(n.el===void 0&&(n.el=O.createElement(Me(n.h,n.h[0]),this.options)),n);if(this._$AH?._$AD===i)this._$AH.p(t);else{let r=new ee(i,this),o=r.u(this.options);r.p(t),this.T(o),this._$AH=r}}_$AC(e){let t=Ee.get(e.strings);return t===void 0&&Ee.set(e.strings,t=new O(e)),t}k(e){oe(this._$AH)||(this._$AH=[],this._$AR());let t=this._$AH,n,i=0;for(let r of e)i===t.length?t.push(n=new s(this.O(P()),this.O(P()),this,this.options)):n=t[i],n._$AI(r),i++;i<t.length&&(this._$AR(n&&n._$AB.nextSibling,i),t.length=i)}_$AR(e=this._$AA.nextSibling,t){for(this._$AP?.(!1,!0,t);e!==this._$AB;){let n=$e(e).nextSibling;$e(e).remove(),e=n}}setConnected(e){this._$AM===void 0&&(this._$Cv=e,this._$AP?.(e))}},C=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(e,t,n,i,r){this.type=1,this._$AH=d,this._$AN=void 0,this.element=e,this.name=t,this._$AM=i,this.options=r,n.length>2||n[0]!==""||n[1]!==""?(this._$AH=Array(n.length-1).fill(new String),this.strings=n):this._$AH=d}_$AI(e,t=this,n,i){let r=this.strings,o=!1;if(r===void 0)e=k(this,e,t,0),o=!N(e)||e!==this._$AH&&e!==S,o&&(this._$AH=e);else{let a=e,c,h;for(e=r[0],c=0;c<r.length-1;c++)h=k(this,a[n+c],t,c),h===S&&(h=this._$AH[c]),o||=!N(h)||h!==this._$AH[c],h===d?e=d:e!==d&&(e+=(h??"")+r[c+1]),this._$AH[c]=h}o&&!i&&this.j(e)}j(e){e===d?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,e??"")}},te=class extends C{constructor(){super(...arguments),this.type=3}j(e){this.element[this.name]=e===d?void 0:e}},ne=class extends C{constructor(){super(...arguments),this.type=4}j(e){this.element.toggleAttribute(this.name,!!e&&e!==d)}},ie=class extends C{constructor(e,t,n,i,r){super(e,t,n,i,r),this.type=5}_$AI(e,t=this){if((e=k(this,e,t,0)??d)===S)return;let n=this._$AH,i=e===d&&n!==d||e.capture!==n.capture||e.once!==n.once||e.passive!==n.passive,r=e!==d&&(n===d||i);i&&this.element.removeEventListener(this.name,this,n),r&&this.element.addEventListener(this.name,this,e),this._$AH=e}handleEvent(e){typeof this._$AH=="function"?this._$AH.call(this.options?.host??this.element,e):this._$AH.handleEvent(e)}},se=class{constructor(e,t,n){this.element=e,this.type=6,this._$AN=void 0,this._$AM=t,this.options=n}get _$AU(){return this._$AM._$AU}_$AI(e){k(this,e)}};var at=re.litHtmlPolyfillSupport;at?.(O,U),(re.litHtmlVersions??=[]).push("3.3.3");var Ie=(s,e,t)=>{let n=t?.renderBefore??e,i=n._$litPart$;if(i===void 0){let r=t?.renderBefore??null;n._$litPart$=i=new U(e.insertBefore(P(),r),r,void 0,t??{})}return i._$AI(s),i};var ce=globalThis,$=class extends _{constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let e=super.createRenderRoot();return this.renderOptions.renderBefore??=e.firstChild,e}update(e){let t=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(e),this._$Do=Ie(t,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return S}};$._$litElement$=!0,$.finalized=!0,ce.litElementHydrateSupport?.({LitElement:$});var ct=ce.litElementPolyfillSupport;ct?.({LitElement:$});(ce.litElementVersions??=[]).push("4.2.2");var b="audible_tracker",He=["currently_reading","progress","time_left","books_in_progress","books_finished","library_size","listening_time_today","listening_time_this_week","unmatched_titles","sync_plan","book","next_up","missing_volumes"],lt=[...He].sort((s,e)=>e.length-s.length),K=new Set(["unavailable"]),de=new Set(["unknown","unavailable",""]);function le(s,e){if(e&&He.includes(e))return e;let t=s.split(".")[1]??"";return lt.find(n=>t===n||t.endsWith(`_${n}`))}function L(s,e){let t=e.entity?s.entities[e.entity]:void 0,n=e.device_id??t?.device_id,i={};if(n)for(let a of Object.values(s.entities)){if(!a||a.device_id!==n||a.platform&&a.platform!==b)continue;let c=le(a.entity_id,a.translation_key);c&&!i[c]&&(i[c]=a.entity_id)}e.entity&&(!t||le(e.entity,t.translation_key)==="currently_reading")&&(i.currently_reading=e.entity);let r=n?s.devices[n]:void 0,o=r?.primary_config_entry??r?.config_entries[0];return{deviceId:n,configEntryId:o??void 0,entities:i}}function Pe(s){return Object.values(s.entities).filter(e=>e?.platform===b).map(e=>e).filter(e=>le(e.entity_id,e.translation_key)==="currently_reading").map(e=>e.entity_id).sort()[0]}function Ne(s,e){return s.entities[e]?.platform===b&&e.startsWith("sensor.")}function m(s){let e=typeof s=="string"&&s.trim()!==""?Number(s):s;return typeof e=="number"&&Number.isFinite(e)?e:void 0}function W(s){let e=m(s);if(e===void 0)return;let t=Math.floor(Math.max(0,e)/60);return`${Math.floor(t/60)}:${String(t%60).padStart(2,"0")}`}function dt(s){let e=m(s.percent);if(e===void 0){let t=m(s.position),n=m(s.duration);if(t===void 0||!n)return;e=t/n*100}return Math.min(100,Math.max(0,e))}function ue(s,e){return new Intl.NumberFormat(e,{style:"percent",maximumFractionDigits:0}).format(Math.floor(s)/100)}function ut(s){let e=m(s.time_left);if(e!==void 0)return Math.max(0,e);let t=m(s.position),n=m(s.duration);return t!==void 0&&n!==void 0?Math.max(0,n-t):void 0}var ht=[["second",60],["minute",60],["hour",24],["day",7],["week",4.35],["month",12],["year",Number.POSITIVE_INFINITY]];function he(s,e,t){if(typeof s!="string")return;let n=Date.parse(s);if(Number.isNaN(n))return;let i=(n-e.getTime())/1e3,r=new Intl.RelativeTimeFormat(t,{numeric:"auto",style:"narrow"});if(Math.abs(i)<45)return r.format(0,"second");for(let[o,a]of ht){if(Math.abs(i)<a)return r.format(Math.round(i),o);i/=a}}var pt={s:1,min:60,h:3600,d:86400};function Re(s){if(!s||de.has(s.state))return;let e=m(s.state),t=s.attributes.unit_of_measurement,n=pt[typeof t=="string"?t:"s"];return e===void 0||n===void 0?void 0:e*n}function Oe(s){let e=Math.round(s/60),t=Math.floor(e/60);return t?`${t}h ${String(e%60).padStart(2,"0")}m`:`${e}m`}function F(s){return Array.isArray(s)?s.filter(e=>typeof e=="string"&&e!==""):[]}function ft(s){let e=F(s.series),t=Array.isArray(s.series_sequence)?s.series_sequence:[];return e.map((n,i)=>{let r=t[i];return[n,typeof r=="string"||typeof r=="number"?String(r):void 0]})}function Ue(s,e){let t=e.sync_plan,n=t?s.states[t]:void 0;if(!t||!n)return;if(K.has(n.state))return{kind:"unavailable",count:0,entityId:t};let i=Array.isArray(n.attributes.unverified)?n.attributes.unverified.length:0;if(i)return{kind:"failed",count:i,entityId:t};let r=e.unmatched_titles?s.states[e.unmatched_titles]:void 0,o=m(r?.state)??0;if(o>0)return{kind:"conflict",count:o,entityId:t};if(n.attributes.mode==="off")return{kind:"off",count:0,entityId:t};if(n.attributes.dry_run===!0)return{kind:"dry_run",count:0,entityId:t};let a=m(n.state)??0;return a>0?{kind:"syncing",count:a,entityId:t}:{kind:"in_step",count:0,entityId:t}}function gt(s,e){let t=r=>{let o=e[r],a=o?s.states[o]:void 0;return a!==void 0&&K.has(a.state)},n=e.sync_plan!==void 0||e.unmatched_titles!==void 0;if(t("currently_reading"))return n?["audible","abs"]:["audible"];let i=[];return t("library_size")?i.push("audible"):n&&t("unmatched_titles")&&i.push("abs"),i}function mt(s,e){let t=e.book?s.states[e.book]:void 0,n=t?.attributes.title;return t?.attributes.event_type==="finished"&&typeof n=="string"?n:void 0}function Le(s,e,t=L(s,e)){let n=t.entities.currently_reading??e.entity;if(!n)return e.device_id?{kind:"missing",entityId:e.device_id}:{kind:"no_config"};let i=s.states[n];if(!i)return{kind:"missing",entityId:n};let r=gt(s,t.entities);if(K.has(i.state))return{kind:"unavailable",entityId:n,down:r};let o=i.attributes;if(de.has(i.state)||i.state==="None")return{kind:"empty",entityId:n,lastFinished:mt(s,t.entities)};let a=o.entity_picture,c=o.cover_url;return{kind:"reading",down:r,book:{entityId:n,title:i.state,authors:F(o.authors),narrators:F(o.narrators),series:ft(o),cover:typeof a=="string"&&a?a:typeof c=="string"&&c?c:void 0,percent:dt(o),position:m(o.position),duration:m(o.duration),left:ut(o),source:typeof o.source=="string"?o.source:void 0,lastListened:typeof o.last_listened=="string"?o.last_listened:void 0}}}function y(s){return typeof s=="string"&&s!==""?s:void 0}function ze(s,e){let n=(e.books_in_progress?s.states[e.books_in_progress]:void 0)?.attributes.books;return Array.isArray(n)?n.flatMap(i=>{if(typeof i!="object"||i===null)return[];let r=i,o=y(r.title);if(!o)return[];let a=m(r.percent);return[{title:o,author:y(r.author),percent:a===void 0?void 0:Math.min(100,Math.max(0,a)),cover:y(r.cover_url),lastListened:y(r.last_listened)}]}):[]}function De(s,e){let t=e.next_up,n=t?s.states[t]:void 0;if(!t||!n||de.has(n.state))return;let i=n.attributes,r=i.sequence;return{entityId:t,title:n.state,series:y(i.series),sequence:typeof r=="number"||typeof r=="string"?String(r):void 0,cover:y(i.entity_picture)??y(i.cover_url),authors:F(i.authors)}}function Ve(s,e){let t=e.missing_volumes,n=t?s.states[t]:void 0;if(!n||K.has(n.state))return;let i=n.attributes.series;return Array.isArray(i)?i.flatMap(r=>{if(typeof r!="object"||r===null)return[];let o=r,a=y(o.title),h=(Array.isArray(o.missing)?o.missing:[]).flatMap(p=>{if(typeof p!="object"||p===null)return[];let l=p,f=y(l.title);if(!f)return[];let g=l.sequence;return[{title:f,sequence:typeof g=="number"||typeof g=="string"?String(g):void 0,releaseDate:y(l.release_date),inWishlist:l.in_wishlist===!0}]});return a&&h.length?[{title:a,missing:h}]:[]}):[]}function je(s,e){let t=n=>{let i=e[n];return i?s.states[i]:void 0};return{today:Re(t("listening_time_today")),week:Re(t("listening_time_this_week"))}}function Be(s){let e=4;return s.show_in_progress!==!1&&(e+=2),s.show_next_up!==!1&&(e+=1),s.show_missing_volumes!==!1&&(e+=1),s.show_listening!==!1&&(e+=1),e}var z={"card.name":"Audible Tracker","card.description":"The book you are listening to: cover, progress, time left, sync state and what comes next.","card.suggestion":"Currently reading","book.series_volume":"{series} #{sequence}","book.by":"by {authors}","book.narrated_by":"narrated by {narrators}","book.time_left":"{time} left","book.position":"{position} / {duration}","book.cover":"Cover of {title}","source.audible":"Audible","source.abs":"Audiobookshelf","source.both":"Audible and Audiobookshelf","source.line":"On {source}, {when}","sync.in_step":"In step","sync.syncing":"Syncing {count}","sync.conflict":"{count} to resolve","sync.failed":"{count} did not take","sync.off":"Sync off","sync.dry_run":"Dry run","sync.unavailable":"Sync unavailable","sync.now":"Sync now","sync.done":"Synced","sync.error":"Sync failed","empty.title":"Nothing in progress","empty.text":"Start a book on Audible or Audiobookshelf and it shows up here.","empty.last_finished":"Last finished: {title}","unavailable.title":"Not available","unavailable.down":"{service} cannot be reached right now.","unavailable.partial":"{service} cannot be reached; showing what is known.","unavailable.both":"Audible and Audiobookshelf","missing.entity":"Entity not available: {entity}","missing.config":"Choose an Audible Tracker entity or device.","section.in_progress":"In progress","section.next_up":"Next up","section.missing_volumes":"Missing volumes","section.listening":"Listening","listening.today":"Today","listening.week":"This week","missing.volume":"#{sequence} {title}","missing.release":"out {date}","missing.wishlist":"in wishlist","missing.more":"+{count} more","editor.entity":"Currently reading sensor","editor.device_id":"Or the Audible Tracker device","editor.show_in_progress":"In progress","editor.show_next_up":"Next up","editor.show_missing_volumes":"Missing volumes","editor.show_listening":"Listening today and this week","editor.show_sync":"Sync state and Sync now","editor.tap_action":"Tap action","editor.hold_action":"Hold action","editor.sections":"Sections"};var qe={en:z};function Fe(s){return Object.hasOwn(z,s)}function _t(s){if(s){let e=qe[s];if(e)return e;let t=qe[s.split("-")[0].toLowerCase()];if(t)return t}return z}function T(s){let e=_t(s);return(t,n={})=>(e[t]??z[t]??t).replace(/\{(\w+)\}/g,(r,o)=>o in n?String(n[o]):r)}var Ke=["show_in_progress","show_next_up","show_missing_volumes","show_listening","show_sync"],vt=[{name:"entity",selector:{entity:{filter:{integration:b,domain:"sensor"}}}},{name:"device_id",selector:{device:{filter:{integration:b}}}},{name:"",type:"grid",schema:Ke.map(s=>({name:s,default:!0,selector:{boolean:{}}}))},{name:"tap_action",selector:{ui_action:{default_action:"more-info"}}},{name:"hold_action",selector:{ui_action:{default_action:"none"}}}],We=Object.fromEntries(Ke.map(s=>[s,!0]));function Ye(){return{schema:vt,computeLabel:s=>{let e=`editor.${s.name}`;return Fe(e)?T(document.documentElement.lang)(e):void 0},assertConfig:s=>{if(s.entity!==void 0&&typeof s.entity!="string")throw new Error("entity must be an entity id")}}}var Ge=J`
  :host {
    display: block;
  }
  ha-card {
    height: 100%;
    overflow: hidden;
  }
  .wrap {
    container-type: inline-size;
    padding: 16px;
    display: flex;
    flex-direction: column;
    gap: 12px;
    color: var(--primary-text-color);
  }
  .unavailable .wrap {
    color: var(--disabled-text-color);
  }
  .now {
    display: grid;
    grid-template-columns: 112px minmax(0, 1fr);
    gap: 16px;
    align-items: start;
    cursor: pointer;
    border-radius: var(--ha-card-border-radius, 12px);
    outline: none;
  }
  .now:focus-visible {
    box-shadow: 0 0 0 2px var(--primary-color);
  }
  .cover {
    all: unset;
    cursor: pointer;
    display: block;
    aspect-ratio: 1 / 1;
    width: 100%;
    border-radius: 12px;
    overflow: hidden;
    background: var(--secondary-background-color);
  }
  .cover:focus-visible {
    box-shadow: 0 0 0 2px var(--primary-color);
  }
  .cover img,
  .cover svg,
  .thumb img,
  .thumb svg {
    display: block;
    width: 100%;
    height: 100%;
    object-fit: cover;
  }
  .fallback {
    color: var(--secondary-text-color);
    background: var(--secondary-background-color);
  }
  .info {
    min-width: 0;
    display: flex;
    flex-direction: column;
    gap: 2px;
  }
  .line {
    overflow: hidden;
    white-space: nowrap;
    text-overflow: ellipsis;
    min-width: 0;
  }
  .title {
    font-size: 1.25em;
    font-weight: 500;
    line-height: 1.3;
  }
  .secondary {
    color: var(--secondary-text-color);
    font-size: 0.9em;
  }
  .series {
    color: var(--primary-color);
    font-size: 0.9em;
  }
  .bar {
    height: 6px;
    border-radius: 3px;
    background: var(--divider-color);
    overflow: hidden;
    margin-top: 8px;
  }
  .bar > div {
    height: 100%;
    background: var(--primary-color);
    border-radius: 3px;
  }
  .numbers {
    display: flex;
    flex-wrap: wrap;
    gap: 4px 12px;
    font-size: 0.9em;
    color: var(--secondary-text-color);
    margin-top: 4px;
  }
  .numbers .percent {
    color: var(--primary-text-color);
    font-weight: 500;
  }
  .footer {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 8px;
    flex-wrap: wrap;
  }
  .badge,
  .sync-now {
    all: unset;
    cursor: pointer;
    font-size: 0.85em;
    padding: 4px 10px;
    border-radius: 14px;
    white-space: nowrap;
  }
  .badge:focus-visible,
  .sync-now:focus-visible {
    box-shadow: 0 0 0 2px var(--primary-color);
  }
  .badge {
    border: 1px solid currentColor;
  }
  .badge.in_step {
    color: var(--success-color);
  }
  .badge.syncing,
  .badge.dry_run {
    color: var(--info-color);
  }
  .badge.conflict,
  .badge.off {
    color: var(--warning-color);
  }
  .badge.failed,
  .badge.unavailable {
    color: var(--error-color);
  }
  .sync-now {
    color: var(--primary-color);
    font-weight: 500;
  }
  .sync-now[disabled] {
    color: var(--disabled-text-color);
    cursor: default;
  }
  .sync-message {
    font-size: 0.85em;
    color: var(--secondary-text-color);
  }
  .sync-message.error {
    color: var(--error-color);
  }
  .warning {
    font-size: 0.85em;
    color: var(--warning-color);
  }
  .state {
    display: flex;
    gap: 16px;
    align-items: center;
  }
  .state .thumb {
    flex: 0 0 64px;
    height: 64px;
  }
  section {
    border-top: 1px solid var(--divider-color);
    padding-top: 12px;
    min-width: 0;
  }
  h3 {
    margin: 0 0 8px;
    font-size: 0.95em;
    font-weight: 500;
    color: var(--secondary-text-color);
  }
  .shelf {
    display: flex;
    gap: 10px;
    overflow-x: auto;
    scrollbar-width: thin;
    padding-bottom: 4px;
  }
  .shelf-book {
    all: unset;
    cursor: pointer;
    flex: 0 0 64px;
    width: 64px;
  }
  .shelf-book.selected .thumb {
    box-shadow: 0 0 0 2px var(--primary-color);
  }
  .thumb {
    width: 64px;
    height: 64px;
    border-radius: 8px;
    overflow: hidden;
    background: var(--secondary-background-color);
  }
  .shelf-book .bar {
    height: 3px;
    margin-top: 4px;
  }
  .detail {
    margin-top: 6px;
    font-size: 0.9em;
  }
  .next {
    all: unset;
    cursor: pointer;
    display: flex;
    gap: 12px;
    align-items: center;
    min-width: 0;
    width: 100%;
  }
  .next .text {
    min-width: 0;
    flex: 1;
  }
  ul {
    margin: 0;
    padding: 0;
    list-style: none;
    display: flex;
    flex-direction: column;
    gap: 6px;
  }
  .missing-series {
    font-weight: 500;
  }
  .wishlist {
    color: var(--primary-color);
  }
  .totals {
    display: flex;
    gap: 24px;
  }
  .total {
    all: unset;
    cursor: pointer;
    display: flex;
    flex-direction: column;
  }
  .total .value {
    font-size: 1.2em;
    font-weight: 500;
  }
  .greyed {
    filter: grayscale(1);
    opacity: 0.6;
  }
  /* A phone, or one column of a sections view. */
  @container (max-width: 380px) {
    .now {
      grid-template-columns: 80px minmax(0, 1fr);
      gap: 12px;
    }
    .title {
      font-size: 1.1em;
    }
  }
  /* Wide: the cover grows with the card. */
  @container (min-width: 640px) {
    .now {
      grid-template-columns: 160px minmax(0, 1fr);
      gap: 24px;
    }
  }
`;var E="audible-tracker-card",$t=500,M=3,bt=6e4,pe=s=>u`
  <svg class="fallback" viewBox="0 0 24 24" role="img" aria-label=${s}>
    <rect width="24" height="24" fill="none" />
    <path
      transform="translate(6 6) scale(0.5)"
      fill="currentColor"
      d="M21,5C19.89,4.65 18.67,4.5 17.5,4.5C15.55,4.5 13.45,4.9 12,6C10.55,4.9 8.45,4.5 6.5,4.5C4.55,4.5 2.45,4.9 1,6V20.65C1,20.9 1.25,21.15 1.5,21.15C1.6,21.15 1.65,21.1 1.75,21.1C3.1,20.45 5.05,20 6.5,20C8.45,20 10.55,20.4 12,21.5C13.35,20.65 15.8,20 17.5,20C19.15,20 20.85,20.3 22.25,21.05C22.35,21.1 22.4,21.1 22.5,21.1C22.75,21.1 23,20.85 23,20.6V6C22.4,5.55 21.75,5.25 21,5M21,18.5C19.9,18.15 18.7,18 17.5,18C15.8,18 13.35,18.65 12,19.5V8C13.35,7.15 15.8,6.5 17.5,6.5C18.7,6.5 19.9,6.65 21,7V18.5Z"
    />
  </svg>
`,Y=class extends ${constructor(){super();this._held=!1;this._onPointerDown=()=>{this._held=!1,window.clearTimeout(this._holdTimer),this._holdTimer=window.setTimeout(()=>{this._held=!0,this._action("hold")},$t)};this._cancelHold=()=>{window.clearTimeout(this._holdTimer)};this._onTap=()=>{if(window.clearTimeout(this._holdTimer),this._held){this._held=!1;return}this._action("tap")};this._onKey=t=>{(t.key==="Enter"||t.key===" ")&&(t.preventDefault(),this._action("tap"))};this._failedCovers=new Set,this._syncing=!1}static{this.styles=Ge}static{this.properties={hass:{attribute:!1},_config:{state:!0},_failedCovers:{state:!0},_selected:{state:!0},_syncing:{state:!0},_syncMessage:{state:!0}}}static{this.getConfigForm=Ye}static getStubConfig(t){let n=Pe(t);return{type:`custom:${E}`,...n?{entity:n}:{},...We}}setConfig(t){if(!t||typeof t!="object")throw new Error("Invalid configuration");if(t.entity!==void 0&&typeof t.entity!="string")throw new Error("entity must be an entity id");if(t.device_id!==void 0&&typeof t.device_id!="string")throw new Error("device_id must be a device id");this._config=t}getCardSize(){return this._config?Be(this._config):4}getGridOptions(){return{columns:12,min_columns:6,rows:"auto"}}connectedCallback(){super.connectedCallback(),this._clock=window.setInterval(()=>this.requestUpdate(),bt)}disconnectedCallback(){super.disconnectedCallback(),window.clearInterval(this._clock),window.clearTimeout(this._holdTimer)}shouldUpdate(t){let n=t.get("hass");if(t.size>1||!n||!this.hass||!this._entry)return!0;let i=this.hass;return n.entities!==i.entities||n.devices!==i.devices||n.locale!==i.locale?!0:Object.values(this._entry.entities).some(r=>n.states[r]!==i.states[r])}get _t(){return T(this.hass?.locale?.language??this.hass?.language)}get _language(){return this.hass?.locale?.language??this.hass?.language??"en"}render(){if(!this._config||!this.hass)return d;let t=this.hass,n=L(t,this._config);this._entry=n;let i=Le(t,this._config,n);if(i.kind==="missing"){let o=t.localize("ui.panel.lovelace.warning.entity_not_found",{entity:i.entityId});return u`<hui-warning>${o||this._t("missing.entity",{entity:i.entityId})}</hui-warning>`}let r=i.kind==="unavailable";return u`
      <ha-card class=${r?"unavailable":i.kind}>
        <div class="wrap">
          ${this._renderMain(i)} ${this._renderFooter(n,r)}
          ${r?d:this._renderSections(n)}
        </div>
      </ha-card>
    `}_renderMain(t){let n=this._t;switch(t.kind){case"no_config":return u`<div class="state"><div class="secondary">${n("missing.config")}</div></div>`;case"unavailable":return u`
          <div class="state greyed" @click=${()=>this._moreInfo(t.entityId)}>
            <div class="thumb">${pe(n("unavailable.title"))}</div>
            <div class="info">
              <div class="title line">${n("unavailable.title")}</div>
              <div class="secondary">${n("unavailable.down",{service:this._services(t.down)})}</div>
            </div>
          </div>
        `;case"empty":return u`
          <div class="state" @click=${()=>this._moreInfo(t.entityId)}>
            <div class="thumb">${pe(n("empty.title"))}</div>
            <div class="info">
              <div class="title line">${n("empty.title")}</div>
              <div class="secondary">
                ${t.lastFinished?n("empty.last_finished",{title:t.lastFinished}):n("empty.text")}
              </div>
            </div>
          </div>
        `;case"reading":return this._renderBook(t.book,t.down)}}_renderCover(t,n){return!t||this._failedCovers.has(t)?pe(n):u`<img
      src=${t}
      alt=${n}
      loading="lazy"
      referrerpolicy="no-referrer"
      @error=${()=>{this._failedCovers=new Set([...this._failedCovers,t])}}
    />`}_renderBook(t,n){let i=this._t,r=this._language,o=t.series.map(([f,g])=>g?i("book.series_volume",{series:f,sequence:g}):f).join(" · "),a=W(t.position),c=W(t.duration),h=W(t.left),p=he(t.lastListened,new Date,r),l=t.source==="audible"||t.source==="abs"||t.source==="both"?i(`source.${t.source}`):void 0;return u`
      <div
        class="now"
        role="button"
        tabindex="0"
        @click=${this._onTap}
        @keydown=${this._onKey}
        @pointerdown=${this._onPointerDown}
        @pointerup=${this._cancelHold}
        @pointerleave=${this._cancelHold}
        @pointercancel=${this._cancelHold}
        @contextmenu=${f=>this._held&&f.preventDefault()}
      >
        <button
          class="cover"
          aria-label=${i("book.cover",{title:t.title})}
          @click=${f=>{f.stopPropagation(),this._moreInfo(t.entityId)}}
          @pointerdown=${f=>f.stopPropagation()}
        >
          ${this._renderCover(t.cover,i("book.cover",{title:t.title}))}
        </button>
        <div class="info">
          <div class="title line" title=${t.title}>${t.title}</div>
          ${o?u`<div class="series line" title=${o}>${o}</div>`:d}
          ${t.authors.length?u`<div class="secondary line">${i("book.by",{authors:t.authors.join(", ")})}</div>`:d}
          ${t.narrators.length?u`<div class="secondary line">${i("book.narrated_by",{narrators:t.narrators.join(", ")})}</div>`:d}
          ${t.percent===void 0?d:u`<div
                class="bar"
                role="progressbar"
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow=${Math.floor(t.percent)}
              >
                <div style="width: ${t.percent}%"></div>
              </div>`}
          <div class="numbers">
            ${t.percent===void 0?d:u`<span class="percent">${ue(t.percent,r)}</span>`}
            ${h?u`<span class="left">${i("book.time_left",{time:h})}</span>`:d}
            ${a&&c?u`<span class="position">${i("book.position",{position:a,duration:c})}</span>`:d}
          </div>
          ${l?u`<div class="secondary line where">${p?i("source.line",{source:l,when:p}):l}</div>`:d}
          ${n.length?u`<div class="warning line">${i("unavailable.partial",{service:this._services(n)})}</div>`:d}
        </div>
      </div>
    `}_renderFooter(t,n){if(this._config?.show_sync===!1||!this.hass)return d;let i=this._t,r=Ue(this.hass,t.entities);if(!r&&!t.configEntryId)return d;let o=r?i(`sync.${r.kind}`,{count:r.count}):"";return u`
      <div class="footer">
        ${r?u`<button class="badge ${r.kind}" data-sync=${r.kind} @click=${()=>this._moreInfo(r.entityId)}>
              ${o}
            </button>`:u`<span></span>`}
        <span>
          ${this._syncMessage?u`<span class="sync-message ${this._syncMessage.error?"error":""}">${this._syncMessage.text}</span>`:d}
          ${t.configEntryId?u`<button
                class="sync-now"
                ?disabled=${this._syncing||n}
                @click=${()=>this._syncNow(t.configEntryId)}
              >
                ${i("sync.now")}
              </button>`:d}
        </span>
      </div>
    `}_renderSections(t){let n=this.hass,i=this._config,r=this._t,o=[];if(i.show_in_progress!==!1){let h=ze(n,t.entities);h.length&&o.push(this._renderShelf(h))}let a=i.show_next_up!==!1?De(n,t.entities):void 0;if(a){let h=a.series&&a.sequence?r("book.series_volume",{series:a.series,sequence:a.sequence}):a.series;o.push(u`
        <section class="next-up">
          <h3>${r("section.next_up")}</h3>
          <button class="next" @click=${()=>this._moreInfo(a.entityId)}>
            <div class="thumb">${this._renderCover(a.cover,r("book.cover",{title:a.title}))}</div>
            <div class="text">
              <div class="line" title=${a.title}>${a.title}</div>
              ${h?u`<div class="series line">${h}</div>`:d}
              ${a.authors.length?u`<div class="secondary line">${a.authors.join(", ")}</div>`:d}
            </div>
          </button>
        </section>
      `)}let c=i.show_missing_volumes!==!1?Ve(n,t.entities):void 0;if(c?.length){let h=c.slice(0,M);o.push(u`
        <section class="missing-volumes" @click=${()=>this._moreInfo(t.entities.missing_volumes)}>
          <h3>${r("section.missing_volumes")}</h3>
          <ul>
            ${h.map(p=>u`<li>
                <div class="missing-series line" title=${p.title}>${p.title}</div>
                ${p.missing.slice(0,M).map(l=>u`<div class="secondary line">
                    ${l.sequence?r("missing.volume",{sequence:l.sequence,title:l.title}):l.title}
                    ${l.releaseDate?u` · ${r("missing.release",{date:l.releaseDate})}`:d}
                    ${l.inWishlist?u` · <span class="wishlist">${r("missing.wishlist")}</span>`:d}
                  </div>`)}
                ${p.missing.length>M?u`<div class="secondary">${r("missing.more",{count:p.missing.length-M})}</div>`:d}
              </li>`)}
            ${c.length>M?u`<li class="secondary">${r("missing.more",{count:c.length-M})}</li>`:d}
          </ul>
        </section>
      `)}if(i.show_listening!==!1){let h=je(n,t.entities);if(h.today!==void 0||h.week!==void 0){let p=(l,f,g)=>f===void 0||!g?d:u`<button class="total" @click=${()=>this._moreInfo(g)}>
                <span class="secondary">${l}</span>
                <span class="value">${Oe(f)}</span>
              </button>`;o.push(u`
          <section class="listening">
            <h3>${r("section.listening")}</h3>
            <div class="totals">
              ${p(r("listening.today"),h.today,t.entities.listening_time_today)}
              ${p(r("listening.week"),h.week,t.entities.listening_time_this_week)}
            </div>
          </section>
        `)}}return o}_renderShelf(t){let n=this._t,i=this._selected!==void 0?t[this._selected]:void 0,r=i?he(i.lastListened,new Date,this._language):void 0,o=i?[i.title,i.author,i.percent===void 0?void 0:ue(i.percent,this._language),r].filter(Boolean).join(" · "):void 0;return u`
      <section class="in-progress">
        <h3>${n("section.in_progress")}</h3>
        <div class="shelf">
          ${t.map((a,c)=>u`<button
              class="shelf-book ${c===this._selected?"selected":""}"
              title=${a.title}
              aria-pressed=${c===this._selected?"true":"false"}
              @click=${()=>{this._selected=this._selected===c?void 0:c}}
            >
              <div class="thumb">${this._renderCover(a.cover,n("book.cover",{title:a.title}))}</div>
              <div class="bar"><div style="width: ${a.percent??0}%"></div></div>
            </button>`)}
        </div>
        ${o?u`<div class="detail line" title=${o}>${o}</div>`:d}
      </section>
    `}_services(t){let n=this._t;return t.length>1?n("unavailable.both"):t[0]?n(`source.${t[0]}`):n("source.audible")}_fire(t,n){this.dispatchEvent(new CustomEvent(t,{detail:n,bubbles:!0,composed:!0}))}_moreInfo(t){this._fire("hass-more-info",{entityId:t})}_action(t){let n=this._config,i=this._entry?.entities.currently_reading??n.entity;this._fire("hass-action",{config:{entity:i,tap_action:n.tap_action??{action:"more-info"},hold_action:n.hold_action??{action:"none"}},action:t})}async _syncNow(t){let n=this._t;this._syncing=!0,this._syncMessage=void 0;try{await this.hass.callService(b,"sync_now",{config_entry_id:t}),this._syncMessage={error:!1,text:n("sync.done")}}catch(i){let r=i instanceof Error?i.message:i?.message;this._syncMessage={error:!0,text:r?`${n("sync.error")}: ${r}`:n("sync.error")}}finally{this._syncing=!1}}};function wt(s,e){if(!Ne(s,e))return null;let n=L(s,{type:E,entity:e}).entities.currently_reading;return n?{config:{type:`custom:${E}`,entity:n}}:null}if(!customElements.get(E)){customElements.define(E,Y);let s=T(document.documentElement.lang);window.customCards=window.customCards??[],window.customCards.push({type:E,name:s("card.name"),description:s("card.description"),preview:!0,documentationURL:"https://github.com/audible-tracker/audible_tracker#the-dashboard-card-and-blueprints",getEntitySuggestion:wt})}export{wt as entitySuggestion};
/*! Bundled license information:

@lit/reactive-element/css-tag.js:
  (**
   * @license
   * Copyright 2019 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)

@lit/reactive-element/reactive-element.js:
lit-html/lit-html.js:
lit-element/lit-element.js:
  (**
   * @license
   * Copyright 2017 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)

lit-html/is-server.js:
  (**
   * @license
   * Copyright 2022 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)
*/
