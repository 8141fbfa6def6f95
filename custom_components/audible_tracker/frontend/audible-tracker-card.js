// audible-tracker-card 0.1.0: generated from frontend/ by `node frontend/build.mjs`; do not edit.
var D=globalThis,j=D.ShadowRoot&&(D.ShadyCSS===void 0||D.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,Y=Symbol(),fe=new WeakMap,I=class{constructor(e,t,i){if(this._$cssResult$=!0,i!==Y)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=e,this.t=t}get styleSheet(){let e=this.o,t=this.t;if(j&&e===void 0){let i=t!==void 0&&t.length===1;i&&(e=fe.get(t)),e===void 0&&((this.o=e=new CSSStyleSheet).replaceSync(this.cssText),i&&fe.set(t,e))}return e}toString(){return this.cssText}},me=s=>new I(typeof s=="string"?s:s+"",void 0,Y),Z=(s,...e)=>{let t=s.length===1?s[0]:e.reduce((i,n,o)=>i+(r=>{if(r._$cssResult$===!0)return r.cssText;if(typeof r=="number")return r;throw Error("Value passed to 'css' function must be a 'css' function result: "+r+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(n)+s[o+1],s[0]);return new I(t,s,Y)},ye=(s,e)=>{if(j)s.adoptedStyleSheets=e.map(t=>t instanceof CSSStyleSheet?t:t.styleSheet);else for(let t of e){let i=document.createElement("style"),n=D.litNonce;n!==void 0&&i.setAttribute("nonce",n),i.textContent=t.cssText,s.appendChild(i)}},Q=j?s=>s:s=>s instanceof CSSStyleSheet?(e=>{let t="";for(let i of e.cssRules)t+=i.cssText;return me(t)})(s):s;var{is:nt,defineProperty:st,getOwnPropertyDescriptor:ot,getOwnPropertyNames:rt,getOwnPropertySymbols:at,getPrototypeOf:lt}=Object,B=globalThis,_e=B.trustedTypes,ct=_e?_e.emptyScript:"",dt=B.reactiveElementPolyfillSupport,M=(s,e)=>s,X={toAttribute(s,e){switch(e){case Boolean:s=s?ct:null;break;case Object:case Array:s=s==null?s:JSON.stringify(s)}return s},fromAttribute(s,e){let t=s;switch(e){case Boolean:t=s!==null;break;case Number:t=s===null?null:Number(s);break;case Object:case Array:try{t=JSON.parse(s)}catch{t=null}}return t}},ve=(s,e)=>!nt(s,e),be={attribute:!0,type:String,converter:X,reflect:!1,useDefault:!1,hasChanged:ve};Symbol.metadata??=Symbol("metadata"),B.litPropertyMetadata??=new WeakMap;var _=class extends HTMLElement{static addInitializer(e){this._$Ei(),(this.l??=[]).push(e)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(e,t=be){if(t.state&&(t.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(e)&&((t=Object.create(t)).wrapped=!0),this.elementProperties.set(e,t),!t.noAccessor){let i=Symbol(),n=this.getPropertyDescriptor(e,i,t);n!==void 0&&st(this.prototype,e,n)}}static getPropertyDescriptor(e,t,i){let{get:n,set:o}=ot(this.prototype,e)??{get(){return this[t]},set(r){this[t]=r}};return{get:n,set(r){let a=n?.call(this);o?.call(this,r),this.requestUpdate(e,a,i)},configurable:!0,enumerable:!0}}static getPropertyOptions(e){return this.elementProperties.get(e)??be}static _$Ei(){if(this.hasOwnProperty(M("elementProperties")))return;let e=lt(this);e.finalize(),e.l!==void 0&&(this.l=[...e.l]),this.elementProperties=new Map(e.elementProperties)}static finalize(){if(this.hasOwnProperty(M("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(M("properties"))){let t=this.properties,i=[...rt(t),...at(t)];for(let n of i)this.createProperty(n,t[n])}let e=this[Symbol.metadata];if(e!==null){let t=litPropertyMetadata.get(e);if(t!==void 0)for(let[i,n]of t)this.elementProperties.set(i,n)}this._$Eh=new Map;for(let[t,i]of this.elementProperties){let n=this._$Eu(t,i);n!==void 0&&this._$Eh.set(n,t)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(e){let t=[];if(Array.isArray(e)){let i=new Set(e.flat(1/0).reverse());for(let n of i)t.unshift(Q(n))}else e!==void 0&&t.push(Q(e));return t}static _$Eu(e,t){let i=t.attribute;return i===!1?void 0:typeof i=="string"?i:typeof e=="string"?e.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(e=>this.enableUpdating=e),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(e=>e(this))}addController(e){(this._$EO??=new Set).add(e),this.renderRoot!==void 0&&this.isConnected&&e.hostConnected?.()}removeController(e){this._$EO?.delete(e)}_$E_(){let e=new Map,t=this.constructor.elementProperties;for(let i of t.keys())this.hasOwnProperty(i)&&(e.set(i,this[i]),delete this[i]);e.size>0&&(this._$Ep=e)}createRenderRoot(){let e=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return ye(e,this.constructor.elementStyles),e}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(e=>e.hostConnected?.())}enableUpdating(e){}disconnectedCallback(){this._$EO?.forEach(e=>e.hostDisconnected?.())}attributeChangedCallback(e,t,i){this._$AK(e,i)}_$ET(e,t){let i=this.constructor.elementProperties.get(e),n=this.constructor._$Eu(e,i);if(n!==void 0&&i.reflect===!0){let o=(i.converter?.toAttribute!==void 0?i.converter:X).toAttribute(t,i.type);this._$Em=e,o==null?this.removeAttribute(n):this.setAttribute(n,o),this._$Em=null}}_$AK(e,t){let i=this.constructor,n=i._$Eh.get(e);if(n!==void 0&&this._$Em!==n){let o=i.getPropertyOptions(n),r=typeof o.converter=="function"?{fromAttribute:o.converter}:o.converter?.fromAttribute!==void 0?o.converter:X;this._$Em=n;let a=r.fromAttribute(t,o.type);this[n]=a??this._$Ej?.get(n)??a,this._$Em=null}}requestUpdate(e,t,i,n=!1,o){if(e!==void 0){let r=this.constructor;if(n===!1&&(o=this[e]),i??=r.getPropertyOptions(e),!((i.hasChanged??ve)(o,t)||i.useDefault&&i.reflect&&o===this._$Ej?.get(e)&&!this.hasAttribute(r._$Eu(e,i))))return;this.C(e,t,i)}this.isUpdatePending===!1&&(this._$ES=this._$EP())}C(e,t,{useDefault:i,reflect:n,wrapped:o},r){i&&!(this._$Ej??=new Map).has(e)&&(this._$Ej.set(e,r??t??this[e]),o!==!0||r!==void 0)||(this._$AL.has(e)||(this.hasUpdated||i||(t=void 0),this._$AL.set(e,t)),n===!0&&this._$Em!==e&&(this._$Eq??=new Set).add(e))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(t){Promise.reject(t)}let e=this.scheduleUpdate();return e!=null&&await e,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[n,o]of this._$Ep)this[n]=o;this._$Ep=void 0}let i=this.constructor.elementProperties;if(i.size>0)for(let[n,o]of i){let{wrapped:r}=o,a=this[n];r!==!0||this._$AL.has(n)||a===void 0||this.C(n,void 0,o,a)}}let e=!1,t=this._$AL;try{e=this.shouldUpdate(t),e?(this.willUpdate(t),this._$EO?.forEach(i=>i.hostUpdate?.()),this.update(t)):this._$EM()}catch(i){throw e=!1,this._$EM(),i}e&&this._$AE(t)}willUpdate(e){}_$AE(e){this._$EO?.forEach(t=>t.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(e)),this.updated(e)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(e){return!0}update(e){this._$Eq&&=this._$Eq.forEach(t=>this._$ET(t,this[t])),this._$EM()}updated(e){}firstUpdated(e){}};_.elementStyles=[],_.shadowRootOptions={mode:"open"},_[M("elementProperties")]=new Map,_[M("finalized")]=new Map,dt?.({ReactiveElement:_}),(B.reactiveElementVersions??=[]).push("2.1.2");var re=globalThis,we=s=>s,V=re.trustedTypes,$e=V?V.createPolicy("lit-html",{createHTML:s=>s}):void 0,Ce="$lit$",b=`lit$${Math.random().toFixed(9).slice(2)}$`,Te="?"+b,ut=`<${Te}>`,k=document,H=()=>k.createComment(""),N=s=>s===null||typeof s!="object"&&typeof s!="function",ae=Array.isArray,ht=s=>ae(s)||typeof s?.[Symbol.iterator]=="function",ee=`[ 	
\f\r]`,R=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,Ae=/-->/g,ke=/>/g,$=RegExp(`>|${ee}(?:([^\\s"'>=/]+)(${ee}*=${ee}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`,"g"),xe=/'/g,Se=/"/g,ze=/^(?:script|style|textarea|title)$/i,le=s=>(e,...t)=>({_$litType$:s,strings:e,values:t}),h=le(1),jt=le(2),Bt=le(3),x=Symbol.for("lit-noChange"),d=Symbol.for("lit-nothing"),Ee=new WeakMap,A=k.createTreeWalker(k,129);function Ie(s,e){if(!ae(s)||!s.hasOwnProperty("raw"))throw Error("invalid template strings array");return $e!==void 0?$e.createHTML(e):e}var pt=(s,e)=>{let t=s.length-1,i=[],n,o=e===2?"<svg>":e===3?"<math>":"",r=R;for(let a=0;a<t;a++){let l=s[a],u,p,c=-1,g=0;for(;g<l.length&&(r.lastIndex=g,p=r.exec(l),p!==null);)g=r.lastIndex,r===R?p[1]==="!--"?r=Ae:p[1]!==void 0?r=ke:p[2]!==void 0?(ze.test(p[2])&&(n=RegExp("</"+p[2],"g")),r=$):p[3]!==void 0&&(r=$):r===$?p[0]===">"?(r=n??R,c=-1):p[1]===void 0?c=-2:(c=r.lastIndex-p[2].length,u=p[1],r=p[3]===void 0?$:p[3]==='"'?Se:xe):r===Se||r===xe?r=$:r===Ae||r===ke?r=R:(r=$,n=void 0);let m=r===$&&s[a+1].startsWith("/>")?" ":"";o+=r===R?l+ut:c>=0?(i.push(u),l.slice(0,c)+Ce+l.slice(c)+b+m):l+b+(c===-2?a:m)}return[Ie(s,o+(s[t]||"<?>")+(e===2?"</svg>":e===3?"</math>":"")),i]},P=class s{constructor({strings:e,_$litType$:t},i){let n;this.parts=[];let o=0,r=0,a=e.length-1,l=this.parts,[u,p]=pt(e,t);if(this.el=s.createElement(u,i),A.currentNode=this.el.content,t===2||t===3){let c=this.el.content.firstChild;c.replaceWith(...c.childNodes)}for(;(n=A.nextNode())!==null&&l.length<a;){if(n.nodeType===1){if(n.hasAttributes())for(let c of n.getAttributeNames())if(c.endsWith(Ce)){let g=p[r++],m=n.getAttribute(c).split(b),U=/([.?@])?(.*)/.exec(g);l.push({type:1,index:o,name:U[2],strings:m,ctor:U[1]==="."?ie:U[1]==="?"?ne:U[1]==="@"?se:C}),n.removeAttribute(c)}else c.startsWith(b)&&(l.push({type:6,index:o}),n.removeAttribute(c));if(ze.test(n.tagName)){let c=n.textContent.split(b),g=c.length-1;if(g>0){n.textContent=V?V.emptyScript:"";for(let m=0;m<g;m++)n.append(c[m],H()),A.nextNode(),l.push({type:2,index:++o});n.append(c[g],H())}}}else if(n.nodeType===8)if(n.data===Te)l.push({type:2,index:o});else{let c=-1;for(;(c=n.data.indexOf(b,c+1))!==-1;)l.push({type:7,index:o}),c+=b.length-1}o++}}static createElement(e,t){let i=k.createElement("template");return i.innerHTML=e,i}};function E(s,e,t=s,i){if(e===x)return e;let n=i!==void 0?t._$Co?.[i]:t._$Cl,o=N(e)?void 0:e._$litDirective$;return n?.constructor!==o&&(n?._$AO?.(!1),o===void 0?n=void 0:(n=new o(s),n._$AT(s,t,i)),i!==void 0?(t._$Co??=[])[i]=n:t._$Cl=n),n!==void 0&&(e=E(s,n._$AS(s,e.values),n,i)),e}var te=class{constructor(e,t){this._$AV=[],this._$AN=void 0,this._$AD=e,this._$AM=t}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(e){let{el:{content:t},parts:i}=this._$AD,n=(e?.creationScope??k).importNode(t,!0);A.currentNode=n;let o=A.nextNode(),r=0,a=0,l=i[0];for(;l!==void 0;){if(r===l.index){let u;l.type===2?u=new O(o,o.nextSibling,this,e):l.type===1?u=new l.ctor(o,l.name,l.strings,this,e):l.type===6&&(u=new oe(o,this,e)),this._$AV.push(u),l=i[++a]}r!==l?.index&&(o=A.nextNode(),r++)}return A.currentNode=k,n}p(e){let t=0;for(let i of this._$AV)i!==void 0&&(i.strings!==void 0?(i._$AI(e,i,t),t+=i.strings.length-2):i._$AI(e[t])),t++}},O=class s{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(e,t,i,n){this.type=2,this._$AH=d,this._$AN=void 0,this._$AA=e,this._$AB=t,this._$AM=i,this.options=n,this._$Cv=n?.isConnected??!0}get parentNode(){let e=this._$AA.parentNode,t=this._$AM;return t!==void 0&&e?.nodeType===11&&(e=t.parentNode),e}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(e,t=this){e=E(this,e,t),N(e)?e===d||e==null||e===""?(this._$AH!==d&&this._$AR(),this._$AH=d):e!==this._$AH&&e!==x&&this._(e):e._$litType$!==void 0?this.$(e):e.nodeType!==void 0?this.T(e):ht(e)?this.k(e):this._(e)}O(e){return this._$AA.parentNode.insertBefore(e,this._$AB)}T(e){this._$AH!==e&&(this._$AR(),this._$AH=this.O(e))}_(e){this._$AH!==d&&N(this._$AH)?this._$AA.nextSibling.data=e:this.T(k.createTextNode(e)),this._$AH=e}$(e){let{values:t,_$litType$:i}=e,n=typeof i=="number"?this._$AC(e):(i.el===void 0&&(i.el=P.createElement(Ie(i.h,i.h[0]),this.options)),i);if(this._$AH?._$AD===n)this._$AH.p(t);else{let o=new te(n,this),r=o.u(this.options);o.p(t),this.T(r),this._$AH=o}}_$AC(e){let t=Ee.get(e.strings);return t===void 0&&Ee.set(e.strings,t=new P(e)),t}k(e){ae(this._$AH)||(this._$AH=[],this._$AR());let t=this._$AH,i,n=0;for(let o of e)n===t.length?t.push(i=new s(this.O(H()),this.O(H()),this,this.options)):i=t[n],i._$AI(o),n++;n<t.length&&(this._$AR(i&&i._$AB.nextSibling,n),t.length=n)}_$AR(e=this._$AA.nextSibling,t){for(this._$AP?.(!1,!0,t);e!==this._$AB;){let i=we(e).nextSibling;we(e).remove(),e=i}}setConnected(e){this._$AM===void 0&&(this._$Cv=e,this._$AP?.(e))}},C=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(e,t,i,n,o){this.type=1,this._$AH=d,this._$AN=void 0,this.element=e,this.name=t,this._$AM=n,this.options=o,i.length>2||i[0]!==""||i[1]!==""?(this._$AH=Array(i.length-1).fill(new String),this.strings=i):this._$AH=d}_$AI(e,t=this,i,n){let o=this.strings,r=!1;if(o===void 0)e=E(this,e,t,0),r=!N(e)||e!==this._$AH&&e!==x,r&&(this._$AH=e);else{let a=e,l,u;for(e=o[0],l=0;l<o.length-1;l++)u=E(this,a[i+l],t,l),u===x&&(u=this._$AH[l]),r||=!N(u)||u!==this._$AH[l],u===d?e=d:e!==d&&(e+=(u??"")+o[l+1]),this._$AH[l]=u}r&&!n&&this.j(e)}j(e){e===d?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,e??"")}},ie=class extends C{constructor(){super(...arguments),this.type=3}j(e){this.element[this.name]=e===d?void 0:e}},ne=class extends C{constructor(){super(...arguments),this.type=4}j(e){this.element.toggleAttribute(this.name,!!e&&e!==d)}},se=class extends C{constructor(e,t,i,n,o){super(e,t,i,n,o),this.type=5}_$AI(e,t=this){if((e=E(this,e,t,0)??d)===x)return;let i=this._$AH,n=e===d&&i!==d||e.capture!==i.capture||e.once!==i.once||e.passive!==i.passive,o=e!==d&&(i===d||n);n&&this.element.removeEventListener(this.name,this,i),o&&this.element.addEventListener(this.name,this,e),this._$AH=e}handleEvent(e){typeof this._$AH=="function"?this._$AH.call(this.options?.host??this.element,e):this._$AH.handleEvent(e)}},oe=class{constructor(e,t,i){this.element=e,this.type=6,this._$AN=void 0,this._$AM=t,this.options=i}get _$AU(){return this._$AM._$AU}_$AI(e){E(this,e)}};var gt=re.litHtmlPolyfillSupport;gt?.(P,O),(re.litHtmlVersions??=[]).push("3.3.3");var Me=(s,e,t)=>{let i=t?.renderBefore??e,n=i._$litPart$;if(n===void 0){let o=t?.renderBefore??null;i._$litPart$=n=new O(e.insertBefore(H(),o),o,void 0,t??{})}return n._$AI(s),n};var ce=globalThis,v=class extends _{constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let e=super.createRenderRoot();return this.renderOptions.renderBefore??=e.firstChild,e}update(e){let t=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(e),this._$Do=Me(t,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return x}};v._$litElement$=!0,v.finalized=!0,ce.litElementHydrateSupport?.({LitElement:v});var ft=ce.litElementPolyfillSupport;ft?.({LitElement:v});(ce.litElementVersions??=[]).push("4.2.2");var w="audible_tracker",He=["currently_reading","progress","time_left","books_in_progress","books_finished","library_size","listening_time_today","listening_time_this_week","unmatched_titles","sync_plan","book","next_up","missing_volumes","listening_streak","yearly_goal_progress","books_finished_this_year","yearly_goal"],mt=[...He].sort((s,e)=>e.length-s.length),K=new Set(["unavailable"]),W=new Set(["unknown","unavailable",""]);function de(s,e){if(e&&He.includes(e))return e;let t=s.split(".")[1]??"";return mt.find(i=>t===i||t.endsWith(`_${i}`))}function L(s,e){let t=e.entity?s.entities[e.entity]:void 0,i=e.device_id??t?.device_id,n={};if(i)for(let a of Object.values(s.entities)){if(!a||a.device_id!==i||a.platform&&a.platform!==w)continue;let l=de(a.entity_id,a.translation_key);l&&!n[l]&&(n[l]=a.entity_id)}e.entity&&(!t||de(e.entity,t.translation_key)==="currently_reading")&&(n.currently_reading=e.entity);let o=i?s.devices[i]:void 0,r=o?.primary_config_entry??o?.config_entries[0];return{deviceId:i,configEntryId:r??void 0,entities:n}}function Ne(s){return Object.values(s.entities).filter(e=>e?.platform===w).map(e=>e).filter(e=>de(e.entity_id,e.translation_key)==="currently_reading").map(e=>e.entity_id).sort()[0]}function Pe(s,e){return s.entities[e]?.platform===w&&e.startsWith("sensor.")}function f(s){let e=typeof s=="string"&&s.trim()!==""?Number(s):s;return typeof e=="number"&&Number.isFinite(e)?e:void 0}function G(s){let e=f(s);if(e===void 0)return;let t=Math.floor(Math.max(0,e)/60);return`${Math.floor(t/60)}:${String(t%60).padStart(2,"0")}`}function yt(s){let e=f(s.percent);if(e===void 0){let t=f(s.position),i=f(s.duration);if(t===void 0||!i)return;e=t/i*100}return Math.min(100,Math.max(0,e))}function ue(s,e){return new Intl.NumberFormat(e,{style:"percent",maximumFractionDigits:0}).format(Math.floor(s)/100)}function _t(s){let e=f(s.time_left);if(e!==void 0)return Math.max(0,e);let t=f(s.position),i=f(s.duration);return t!==void 0&&i!==void 0?Math.max(0,i-t):void 0}var bt=[["second",60],["minute",60],["hour",24],["day",7],["week",4.35],["month",12],["year",Number.POSITIVE_INFINITY]];function he(s,e,t){if(typeof s!="string")return;let i=Date.parse(s);if(Number.isNaN(i))return;let n=(i-e.getTime())/1e3,o=new Intl.RelativeTimeFormat(t,{numeric:"auto",style:"narrow"});if(Math.abs(n)<45)return o.format(0,"second");for(let[r,a]of bt){if(Math.abs(n)<a)return o.format(Math.round(n),r);n/=a}}var vt={s:1,min:60,h:3600,d:86400};function Re(s){if(!s||W.has(s.state))return;let e=f(s.state),t=s.attributes.unit_of_measurement,i=vt[typeof t=="string"?t:"s"];return e===void 0||i===void 0?void 0:e*i}function Oe(s){let e=Math.round(s/60),t=Math.floor(e/60);return t?`${t}h ${String(e%60).padStart(2,"0")}m`:`${e}m`}function F(s){return Array.isArray(s)?s.filter(e=>typeof e=="string"&&e!==""):[]}function wt(s){let e=F(s.series),t=Array.isArray(s.series_sequence)?s.series_sequence:[];return e.map((i,n)=>{let o=t[n];return[i,typeof o=="string"||typeof o=="number"?String(o):void 0]})}function Le(s,e){let t=e.sync_plan,i=t?s.states[t]:void 0;if(!t||!i)return;if(K.has(i.state))return{kind:"unavailable",count:0,entityId:t};let n=Array.isArray(i.attributes.unverified)?i.attributes.unverified.length:0;if(n)return{kind:"failed",count:n,entityId:t};let o=e.unmatched_titles?s.states[e.unmatched_titles]:void 0,r=f(o?.state)??0;if(r>0)return{kind:"conflict",count:r,entityId:t};if(i.attributes.mode==="off")return{kind:"off",count:0,entityId:t};if(i.attributes.dry_run===!0)return{kind:"dry_run",count:0,entityId:t};let a=f(i.state)??0;return a>0?{kind:"syncing",count:a,entityId:t}:{kind:"in_step",count:0,entityId:t}}function $t(s,e){let t=o=>{let r=e[o],a=r?s.states[r]:void 0;return a!==void 0&&K.has(a.state)},i=e.sync_plan!==void 0||e.unmatched_titles!==void 0;if(t("currently_reading"))return i?["audible","abs"]:["audible"];let n=[];return t("library_size")?n.push("audible"):i&&t("unmatched_titles")&&n.push("abs"),n}function At(s,e){let t=e.book?s.states[e.book]:void 0,i=t?.attributes.title;return t?.attributes.event_type==="finished"&&typeof i=="string"?i:void 0}function qe(s,e,t=L(s,e)){let i=t.entities.currently_reading??e.entity;if(!i)return e.device_id?{kind:"missing",entityId:e.device_id}:{kind:"no_config"};let n=s.states[i];if(!n)return{kind:"missing",entityId:i};let o=$t(s,t.entities);if(K.has(n.state))return{kind:"unavailable",entityId:i,down:o};let r=n.attributes;if(W.has(n.state)||n.state==="None")return{kind:"empty",entityId:i,lastFinished:At(s,t.entities)};let a=r.entity_picture,l=r.cover_url;return{kind:"reading",down:o,book:{entityId:i,title:n.state,authors:F(r.authors),narrators:F(r.narrators),series:wt(r),cover:typeof a=="string"&&a?a:typeof l=="string"&&l?l:void 0,percent:yt(r),position:f(r.position),duration:f(r.duration),left:_t(r),source:typeof r.source=="string"?r.source:void 0,lastListened:typeof r.last_listened=="string"?r.last_listened:void 0}}}function y(s){return typeof s=="string"&&s!==""?s:void 0}function Ue(s,e){let i=(e.books_in_progress?s.states[e.books_in_progress]:void 0)?.attributes.books;return Array.isArray(i)?i.flatMap(n=>{if(typeof n!="object"||n===null)return[];let o=n,r=y(o.title);if(!r)return[];let a=f(o.percent);return[{title:r,author:y(o.author),percent:a===void 0?void 0:Math.min(100,Math.max(0,a)),cover:y(o.cover_url),lastListened:y(o.last_listened)}]}):[]}function De(s,e){let t=e.next_up,i=t?s.states[t]:void 0;if(!t||!i||W.has(i.state))return;let n=i.attributes,o=n.sequence;return{entityId:t,title:i.state,series:y(n.series),sequence:typeof o=="number"||typeof o=="string"?String(o):void 0,cover:y(n.entity_picture)??y(n.cover_url),authors:F(n.authors)}}function je(s,e){let t=e.missing_volumes,i=t?s.states[t]:void 0;if(!i||K.has(i.state))return;let n=i.attributes.series;return Array.isArray(n)?n.flatMap(o=>{if(typeof o!="object"||o===null)return[];let r=o,a=y(r.title),u=(Array.isArray(r.missing)?r.missing:[]).flatMap(p=>{if(typeof p!="object"||p===null)return[];let c=p,g=y(c.title);if(!g)return[];let m=c.sequence;return[{title:g,sequence:typeof m=="number"||typeof m=="string"?String(m):void 0,releaseDate:y(c.release_date),inWishlist:c.in_wishlist===!0}]});return a&&u.length?[{title:a,missing:u}]:[]}):[]}function Be(s,e){let t=i=>{let n=e[i];return n?s.states[n]:void 0};return{today:Re(t("listening_time_today")),week:Re(t("listening_time_this_week"))}}function Ve(s,e){let t=p=>{let c=e[p],g=c?s.states[c]:void 0;return g&&!W.has(g.state)?g:void 0},i={},n=t("listening_streak"),o=f(n?.state);if(n&&o!==void 0){let p=f(n.attributes.longest_streak);i.streak={entityId:n.entity_id,days:Math.max(0,Math.floor(o)),longest:p}}let r=t("yearly_goal_progress"),a=t("books_finished_this_year"),l=f(t("yearly_goal")?.state)??f(r?.attributes.goal),u=f(a?.state)??f(r?.attributes.finished);if(l!==void 0&&l>0&&r){let p=f(r.state)??(u===void 0?void 0:u/l*100),c=f(r.attributes.ahead_by);i.year={entityId:r.entity_id,finished:u,goal:Math.round(l),percent:p===void 0?void 0:Math.min(100,Math.max(0,p)),ahead:c===void 0?void 0:Math.round(c)+0}}else a&&u!==void 0&&(i.year={entityId:a.entity_id,finished:u});return i}function Fe(s){let e=4;return s.show_in_progress!==!1&&(e+=2),s.show_next_up!==!1&&(e+=1),s.show_missing_volumes!==!1&&(e+=1),s.show_listening!==!1&&(e+=1),s.show_goals!==!1&&(e+=1),e}var Ke={"card.name":"Audible Tracker","card.description":"Das Hörbuch, das du gerade hörst: Cover, Fortschritt, Restzeit, Synchronisierungsstatus und was als Nächstes kommt.","card.suggestion":"Aktuelles Hörbuch","book.series_volume":"{series}, Band {sequence}","book.by":"von {authors}","book.narrated_by":"gesprochen von {narrators}","book.time_left":"noch {time}","book.position":"{position} / {duration}","book.cover":"Cover von {title}","source.audible":"Audible","source.abs":"Audiobookshelf","source.both":"Audible und Audiobookshelf","source.line":"Auf {source}, {when}","sync.in_step":"Synchron","sync.syncing":"{count} zu synchronisieren","sync.conflict":"{count} zu klären","sync.failed":"{count} nicht übernommen","sync.off":"Synchronisierung aus","sync.dry_run":"Probelauf","sync.unavailable":"Synchronisierung nicht verfügbar","sync.now":"Jetzt synchronisieren","sync.done":"Synchronisiert","sync.error":"Synchronisierung fehlgeschlagen","empty.title":"Kein begonnenes Buch","empty.text":"Beginne ein Buch auf Audible oder Audiobookshelf, dann erscheint es hier.","empty.last_finished":"Zuletzt beendet: {title}","unavailable.title":"Nicht verfügbar","unavailable.down":"Zurzeit keine Verbindung zu {service}.","unavailable.partial":"Keine Verbindung zu {service}; angezeigt wird der letzte bekannte Stand.","unavailable.both":"Audible und Audiobookshelf","missing.entity":"Entität nicht verfügbar: {entity}","missing.config":"Wähle eine Entität oder ein Gerät von Audible Tracker.","section.in_progress":"Begonnene Bücher","section.next_up":"Als Nächstes","section.missing_volumes":"Fehlende Bände","section.listening":"Hörzeit","listening.today":"Heute","listening.week":"Diese Woche","section.goals":"Hörtage und Jahresziel","goals.streak":"Hörtage in Folge: {days}","goals.streak_longest":"Hörtage in Folge: {days} (längste Folge: {longest})","goals.longest":"Längste Folge: {longest} Tage","goals.year":"Jahresziel: {finished} von {goal} Büchern","goals.ahead":"Vorsprung: {count}","goals.behind":"Rückstand: {count}","goals.on_track":"im Plan","goals.finished_year":"Dieses Jahr beendete Bücher: {count}","missing.volume":"Band {sequence}: {title}","missing.release":"erscheint am {date}","missing.wishlist":"auf dem Merkzettel","missing.more":"+{count} weitere","editor.entity":"Sensor „Aktuelles Hörbuch“","editor.device_id":"Oder das Audible-Tracker-Gerät","editor.show_in_progress":"Begonnene Bücher","editor.show_next_up":"Als Nächstes","editor.show_missing_volumes":"Fehlende Bände","editor.show_listening":"Hörzeit heute und diese Woche","editor.show_goals":"Hörtage in Folge und Jahresziel","editor.show_sync":"Synchronisierungsstatus und „Jetzt synchronisieren“","editor.tap_action":"Tipp-Aktion","editor.hold_action":"Halte-Aktion","editor.sections":"Bereiche"};var q={"card.name":"Audible Tracker","card.description":"The book you are listening to: cover, progress, time left, sync state and what comes next.","card.suggestion":"Currently reading","book.series_volume":"{series} #{sequence}","book.by":"by {authors}","book.narrated_by":"narrated by {narrators}","book.time_left":"{time} left","book.position":"{position} / {duration}","book.cover":"Cover of {title}","source.audible":"Audible","source.abs":"Audiobookshelf","source.both":"Audible and Audiobookshelf","source.line":"On {source}, {when}","sync.in_step":"In step","sync.syncing":"Syncing {count}","sync.conflict":"{count} to resolve","sync.failed":"{count} did not take","sync.off":"Sync off","sync.dry_run":"Dry run","sync.unavailable":"Sync unavailable","sync.now":"Sync now","sync.done":"Synced","sync.error":"Sync failed","empty.title":"Nothing in progress","empty.text":"Start a book on Audible or Audiobookshelf and it shows up here.","empty.last_finished":"Last finished: {title}","unavailable.title":"Not available","unavailable.down":"{service} cannot be reached right now.","unavailable.partial":"{service} cannot be reached; showing what is known.","unavailable.both":"Audible and Audiobookshelf","missing.entity":"Entity not available: {entity}","missing.config":"Choose an Audible Tracker entity or device.","section.in_progress":"In progress","section.next_up":"Next up","section.missing_volumes":"Missing volumes","section.listening":"Listening","listening.today":"Today","listening.week":"This week","section.goals":"Streak and goal","goals.streak":"{days}-day streak","goals.streak_longest":"{days}-day streak (longest {longest})","goals.longest":"Longest streak: {longest} days","goals.year":"Yearly goal: {finished} of {goal} books","goals.ahead":"{count} ahead","goals.behind":"{count} behind","goals.on_track":"on track","goals.finished_year":"Books finished this year: {count}","missing.volume":"#{sequence} {title}","missing.release":"out {date}","missing.wishlist":"in wishlist","missing.more":"+{count} more","editor.entity":"Currently reading sensor","editor.device_id":"Or the Audible Tracker device","editor.show_in_progress":"In progress","editor.show_next_up":"Next up","editor.show_missing_volumes":"Missing volumes","editor.show_listening":"Listening today and this week","editor.show_goals":"Listening streak and yearly goal","editor.show_sync":"Sync state and Sync now","editor.tap_action":"Tap action","editor.hold_action":"Hold action","editor.sections":"Sections"};var We={"card.name":"Audible Tracker","card.description":"El libro que estás escuchando: portada, progreso, tiempo restante, estado de la sincronización y lo que viene después.","card.suggestion":"Escuchando ahora","book.series_volume":"{series}, vol. {sequence}","book.by":"de {authors}","book.narrated_by":"narrado por {narrators}","book.time_left":"quedan {time}","book.position":"{position} / {duration}","book.cover":"Portada de {title}","source.audible":"Audible","source.abs":"Audiobookshelf","source.both":"Audible y Audiobookshelf","source.line":"En {source}, {when}","sync.in_step":"Al día","sync.syncing":"Por sincronizar: {count}","sync.conflict":"Por resolver: {count}","sync.failed":"No aplicadas: {count}","sync.off":"Sincronización desactivada","sync.dry_run":"Simulación","sync.unavailable":"Sincronización no disponible","sync.now":"Sincronizar ahora","sync.done":"Sincronizado","sync.error":"Error de sincronización","empty.title":"Nada en curso","empty.text":"Empieza un libro en Audible o Audiobookshelf y aparecerá aquí.","empty.last_finished":"Último terminado: {title}","unavailable.title":"No disponible","unavailable.down":"No se puede contactar con {service} en este momento.","unavailable.partial":"No se puede contactar con {service}; se muestran los últimos datos conocidos.","unavailable.both":"Audible y Audiobookshelf","missing.entity":"Entidad no disponible: {entity}","missing.config":"Elige una entidad o un dispositivo de Audible Tracker.","section.in_progress":"Libros en curso","section.next_up":"A continuación","section.missing_volumes":"Volúmenes que faltan","section.listening":"Tiempo de escucha","listening.today":"Hoy","listening.week":"Esta semana","section.goals":"Racha y objetivo anual","goals.streak":"Racha de escucha: {days}","goals.streak_longest":"Racha de escucha: {days} (racha más larga: {longest})","goals.longest":"Racha más larga: {longest} días","goals.year":"Objetivo anual: {finished} de {goal} libros","goals.ahead":"adelanto de {count}","goals.behind":"retraso de {count}","goals.on_track":"al día","goals.finished_year":"Libros terminados este año: {count}","missing.volume":"Vol. {sequence}: {title}","missing.release":"sale el {date}","missing.wishlist":"en la lista de deseos","missing.more":"+{count} más","editor.entity":"Sensor Escuchando ahora","editor.device_id":"O el dispositivo de Audible Tracker","editor.show_in_progress":"Libros en curso","editor.show_next_up":"A continuación","editor.show_missing_volumes":"Volúmenes que faltan","editor.show_listening":"Tiempo de escucha hoy y esta semana","editor.show_goals":"Racha de escucha y objetivo anual","editor.show_sync":"Estado de la sincronización y Sincronizar ahora","editor.tap_action":"Acción al tocar","editor.hold_action":"Acción al mantener pulsado","editor.sections":"Secciones"};var Ge={"card.name":"Audible Tracker","card.description":"Le livre que vous écoutez : couverture, progression, temps restant, état de la synchronisation et ce qui vient ensuite.","card.suggestion":"Lecture en cours","book.series_volume":"{series}, tome {sequence}","book.by":"de {authors}","book.narrated_by":"lu par {narrators}","book.time_left":"reste {time}","book.position":"{position} / {duration}","book.cover":"Couverture de {title}","source.audible":"Audible","source.abs":"Audiobookshelf","source.both":"Audible et Audiobookshelf","source.line":"Sur {source}, {when}","sync.in_step":"À jour","sync.syncing":"À synchroniser : {count}","sync.conflict":"À résoudre : {count}","sync.failed":"Non prises en compte : {count}","sync.off":"Synchronisation désactivée","sync.dry_run":"Simulation","sync.unavailable":"Synchronisation indisponible","sync.now":"Synchroniser maintenant","sync.done":"Synchronisé","sync.error":"Échec de la synchronisation","empty.title":"Aucune lecture en cours","empty.text":"Commencez un livre sur Audible ou Audiobookshelf et il apparaîtra ici.","empty.last_finished":"Dernier terminé : {title}","unavailable.title":"Indisponible","unavailable.down":"Impossible de joindre {service} pour le moment.","unavailable.partial":"Impossible de joindre {service} ; affichage des dernières données connues.","unavailable.both":"Audible et Audiobookshelf","missing.entity":"Entité indisponible : {entity}","missing.config":"Choisissez une entité ou un appareil Audible Tracker.","section.in_progress":"Livres en cours","section.next_up":"À écouter ensuite","section.missing_volumes":"Tomes manquants","section.listening":"Temps d'écoute","listening.today":"Aujourd'hui","listening.week":"Cette semaine","section.goals":"Jours consécutifs et objectif","goals.streak":"Jours d'écoute consécutifs : {days}","goals.streak_longest":"Jours d'écoute consécutifs : {days} (record : {longest})","goals.longest":"Record de jours consécutifs : {longest}","goals.year":"Objectif annuel : {finished} livres sur {goal}","goals.ahead":"avance de {count}","goals.behind":"retard de {count}","goals.on_track":"dans les temps","goals.finished_year":"Livres terminés cette année : {count}","missing.volume":"Tome {sequence} : {title}","missing.release":"sortie le {date}","missing.wishlist":"dans la liste d'envies","missing.more":"+{count} autres","editor.entity":"Capteur Lecture en cours","editor.device_id":"Ou l'appareil Audible Tracker","editor.show_in_progress":"Livres en cours","editor.show_next_up":"À écouter ensuite","editor.show_missing_volumes":"Tomes manquants","editor.show_listening":"Temps d'écoute aujourd'hui et cette semaine","editor.show_goals":"Jours d'écoute consécutifs et objectif annuel","editor.show_sync":"État de la synchronisation et Synchroniser maintenant","editor.tap_action":"Action d'appui","editor.hold_action":"Action d'appui long","editor.sections":"Sections"};var Je={"card.name":"Audible Tracker","card.description":"Il libro che stai ascoltando: copertina, avanzamento, tempo rimanente, stato della sincronizzazione e cosa viene dopo.","card.suggestion":"In ascolto","book.series_volume":"{series}, vol. {sequence}","book.by":"di {authors}","book.narrated_by":"letto da {narrators}","book.time_left":"{time} rimanenti","book.position":"{position} / {duration}","book.cover":"Copertina di {title}","source.audible":"Audible","source.abs":"Audiobookshelf","source.both":"Audible e Audiobookshelf","source.line":"Su {source}, {when}","sync.in_step":"Allineato","sync.syncing":"Da sincronizzare: {count}","sync.conflict":"Da risolvere: {count}","sync.failed":"Non applicate: {count}","sync.off":"Sincronizzazione disattivata","sync.dry_run":"Simulazione","sync.unavailable":"Sincronizzazione non disponibile","sync.now":"Sincronizza ora","sync.done":"Sincronizzato","sync.error":"Sincronizzazione non riuscita","empty.title":"Nessun libro in corso","empty.text":"Inizia un libro su Audible o Audiobookshelf e comparirà qui.","empty.last_finished":"Ultimo terminato: {title}","unavailable.title":"Non disponibile","unavailable.down":"Impossibile raggiungere {service} al momento.","unavailable.partial":"Impossibile raggiungere {service}; vengono mostrati gli ultimi dati noti.","unavailable.both":"Audible e Audiobookshelf","missing.entity":"Entità non disponibile: {entity}","missing.config":"Scegli un'entità o un dispositivo di Audible Tracker.","section.in_progress":"Libri in corso","section.next_up":"Prossimo da ascoltare","section.missing_volumes":"Volumi mancanti","section.listening":"Tempo di ascolto","listening.today":"Oggi","listening.week":"Questa settimana","section.goals":"Ascolto consecutivo e obiettivo","goals.streak":"Giorni di ascolto consecutivi: {days}","goals.streak_longest":"Giorni di ascolto consecutivi: {days} (sequenza più lunga: {longest})","goals.longest":"Sequenza più lunga: {longest} giorni","goals.year":"Obiettivo annuale: {finished} libri su {goal}","goals.ahead":"in anticipo di {count}","goals.behind":"in ritardo di {count}","goals.on_track":"in linea","goals.finished_year":"Libri terminati quest'anno: {count}","missing.volume":"Vol. {sequence}: {title}","missing.release":"esce il {date}","missing.wishlist":"nella lista desideri","missing.more":"+{count} altri","editor.entity":"Sensore In ascolto","editor.device_id":"Oppure il dispositivo Audible Tracker","editor.show_in_progress":"Libri in corso","editor.show_next_up":"Prossimo da ascoltare","editor.show_missing_volumes":"Volumi mancanti","editor.show_listening":"Tempo di ascolto oggi e questa settimana","editor.show_goals":"Giorni di ascolto consecutivi e obiettivo annuale","editor.show_sync":"Stato della sincronizzazione e Sincronizza ora","editor.tap_action":"Azione al tocco","editor.hold_action":"Azione al tocco prolungato","editor.sections":"Sezioni"};var Ye={"card.name":"Audible Tracker","card.description":"聴いている本のカバー、進捗、残り時間、同期の状態、次に聴く本を表示します。","card.suggestion":"現在聴いている本","book.series_volume":"{series} 第{sequence}巻","book.by":"著者：{authors}","book.narrated_by":"ナレーター：{narrators}","book.time_left":"残り {time}","book.position":"{position} / {duration}","book.cover":"{title} のカバー","source.audible":"Audible","source.abs":"Audiobookshelf","source.both":"Audible と Audiobookshelf","source.line":"{source}（{when}）","sync.in_step":"同期済み","sync.syncing":"同期待ち {count} 件","sync.conflict":"未解決 {count} 件","sync.failed":"未反映 {count} 件","sync.off":"同期オフ","sync.dry_run":"ドライラン","sync.unavailable":"同期を利用できません","sync.now":"今すぐ同期","sync.done":"同期しました","sync.error":"同期に失敗しました","empty.title":"聴いている途中の本はありません","empty.text":"Audible または Audiobookshelf で本を聴き始めると、ここに表示されます。","empty.last_finished":"最後に聴き終えた本：{title}","unavailable.title":"利用できません","unavailable.down":"現在 {service} に接続できません。","unavailable.partial":"{service} に接続できません。最後に取得した情報を表示しています。","unavailable.both":"Audible と Audiobookshelf","missing.entity":"エンティティを利用できません：{entity}","missing.config":"Audible Tracker のエンティティまたはデバイスを選択してください。","section.in_progress":"聴いている途中の本","section.next_up":"次に聴く本","section.missing_volumes":"未所有の巻","section.listening":"リスニング時間","listening.today":"今日","listening.week":"今週","section.goals":"連続日数と年間目標","goals.streak":"連続リスニング日数: {days} 日","goals.streak_longest":"連続リスニング日数: {days} 日（最長 {longest} 日）","goals.longest":"最長連続日数: {longest} 日","goals.year":"年間目標: {goal} 冊中 {finished} 冊","goals.ahead":"目安より {count} 冊先行","goals.behind":"目安より {count} 冊遅れ","goals.on_track":"目安どおり","goals.finished_year":"今年聴き終えた本: {count} 冊","missing.volume":"第{sequence}巻 {title}","missing.release":"{date} 配信","missing.wishlist":"ほしい物リストにあり","missing.more":"ほか {count} 件","editor.entity":"「現在聴いている本」センサー","editor.device_id":"または Audible Tracker のデバイス","editor.show_in_progress":"聴いている途中の本","editor.show_next_up":"次に聴く本","editor.show_missing_volumes":"未所有の巻","editor.show_listening":"今日と今週のリスニング時間","editor.show_goals":"連続リスニング日数と年間目標","editor.show_sync":"同期の状態と「今すぐ同期」","editor.tap_action":"タップ時のアクション","editor.hold_action":"長押し時のアクション","editor.sections":"セクション"};var Ze={"card.name":"Audible Tracker","card.description":"O livro que você está ouvindo: capa, progresso, tempo restante, estado da sincronização e o que vem a seguir.","card.suggestion":"Ouvindo agora","book.series_volume":"{series}, vol. {sequence}","book.by":"de {authors}","book.narrated_by":"narrado por {narrators}","book.time_left":"faltam {time}","book.position":"{position} / {duration}","book.cover":"Capa de {title}","source.audible":"Audible","source.abs":"Audiobookshelf","source.both":"Audible e Audiobookshelf","source.line":"{source}, {when}","sync.in_step":"Em dia","sync.syncing":"Sincronizando {count}","sync.conflict":"A resolver: {count}","sync.failed":"Não aplicadas: {count}","sync.off":"Sincronização desativada","sync.dry_run":"Simulação","sync.unavailable":"Sincronização indisponível","sync.now":"Sincronizar agora","sync.done":"Sincronizado","sync.error":"Falha na sincronização","empty.title":"Nada em andamento","empty.text":"Comece um livro na Audible ou no Audiobookshelf e ele aparecerá aqui.","empty.last_finished":"Último concluído: {title}","unavailable.title":"Indisponível","unavailable.down":"Sem conexão com {service} no momento.","unavailable.partial":"Sem conexão com {service}; mostrando os últimos dados conhecidos.","unavailable.both":"Audible e Audiobookshelf","missing.entity":"Entidade indisponível: {entity}","missing.config":"Escolha uma entidade ou um dispositivo do Audible Tracker.","section.in_progress":"Livros em andamento","section.next_up":"Próximo a ouvir","section.missing_volumes":"Volumes faltando","section.listening":"Tempo de audição","listening.today":"Hoje","listening.week":"Nesta semana","section.goals":"Sequência e meta anual","goals.streak":"Dias seguidos de audição: {days}","goals.streak_longest":"Dias seguidos de audição: {days} (maior sequência: {longest})","goals.longest":"Maior sequência: {longest} dias","goals.year":"Meta anual: {finished} de {goal} livros","goals.ahead":"adiantado em {count}","goals.behind":"atrasado em {count}","goals.on_track":"no ritmo","goals.finished_year":"Livros concluídos neste ano: {count}","missing.volume":"Vol. {sequence}: {title}","missing.release":"lançamento em {date}","missing.wishlist":"na lista de desejos","missing.more":"+{count} outros","editor.entity":"Sensor Ouvindo agora","editor.device_id":"Ou o dispositivo do Audible Tracker","editor.show_in_progress":"Livros em andamento","editor.show_next_up":"Próximo a ouvir","editor.show_missing_volumes":"Volumes faltando","editor.show_listening":"Tempo de audição hoje e nesta semana","editor.show_goals":"Dias seguidos de audição e meta anual","editor.show_sync":"Estado da sincronização e Sincronizar agora","editor.tap_action":"Ação ao tocar","editor.hold_action":"Ação ao manter pressionado","editor.sections":"Seções"};var pe={de:Ke,en:q,es:We,fr:Ge,it:Je,ja:Ye,"pt-BR":Ze},It={pt:"pt-BR"};function Qe(s){return Object.hasOwn(q,s)}function Mt(s){if(s){let e=pe[s];if(e)return e;let t=s.split("-")[0].toLowerCase(),i=pe[t]??pe[It[t]??""];if(i)return i}return q}function T(s){let e=Mt(s);return(t,i={})=>(e[t]??q[t]??t).replace(/\{(\w+)\}/g,(o,r)=>r in i?String(i[r]):o)}var Xe=["show_in_progress","show_next_up","show_missing_volumes","show_listening","show_goals","show_sync"],Rt=[{name:"entity",selector:{entity:{filter:{integration:w,domain:"sensor"}}}},{name:"device_id",selector:{device:{filter:{integration:w}}}},{name:"",type:"grid",schema:Xe.map(s=>({name:s,default:!0,selector:{boolean:{}}}))},{name:"tap_action",selector:{ui_action:{default_action:"more-info"}}},{name:"hold_action",selector:{ui_action:{default_action:"none"}}}],et=Object.fromEntries(Xe.map(s=>[s,!0]));function tt(){return{schema:Rt,computeLabel:s=>{let e=`editor.${s.name}`;return Qe(e)?T(document.documentElement.lang)(e):void 0},assertConfig:s=>{if(s.entity!==void 0&&typeof s.entity!="string")throw new Error("entity must be an entity id")}}}var it=Z`
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
  .goals {
    display: flex;
    flex-direction: column;
    gap: 8px;
  }
  .streak,
  .year {
    all: unset;
    cursor: pointer;
    display: block;
    min-width: 0;
  }
  /* An icon, not an emoji: wall panels often have no emoji font. */
  .streak {
    display: flex;
    align-items: center;
    gap: 6px;
  }
  .streak ha-svg-icon {
    flex: none;
    color: var(--warning-color);
    --mdc-icon-size: 20px;
  }
  .year .bar {
    height: 4px;
    margin-top: 6px;
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
`;var Ht="M17.66 11.2C17.43 10.9 17.15 10.64 16.89 10.38C16.22 9.78 15.46 9.35 14.82 8.72C13.33 7.26 13 4.85 13.95 3C13 3.23 12.17 3.75 11.46 4.32C8.87 6.4 7.85 10.07 9.07 13.22C9.11 13.32 9.15 13.42 9.15 13.55C9.15 13.77 9 13.97 8.8 14.05C8.57 14.15 8.33 14.09 8.14 13.93C8.08 13.88 8.04 13.83 8 13.76C6.87 12.33 6.69 10.28 7.45 8.64C5.78 10 4.87 12.3 5 14.47C5.06 14.97 5.12 15.47 5.29 15.97C5.43 16.57 5.7 17.17 6 17.7C7.08 19.43 8.95 20.67 10.96 20.92C13.1 21.19 15.39 20.8 17.03 19.32C18.86 17.66 19.5 15 18.56 12.72L18.43 12.46C18.22 12 17.66 11.2 17.66 11.2M14.5 17.5C14.22 17.74 13.76 18 13.4 18.1C12.28 18.5 11.16 17.94 10.5 17.28C11.69 17 12.4 16.12 12.61 15.23C12.78 14.43 12.46 13.77 12.33 13C12.21 12.26 12.23 11.63 12.5 10.94C12.69 11.32 12.89 11.7 13.13 12C13.9 13 15.11 13.44 15.37 14.8C15.41 14.94 15.43 15.08 15.43 15.23C15.46 16.05 15.1 16.95 14.5 17.5H14.5Z",S="audible-tracker-card",Nt=500,z=3,Pt=6e4,ge=s=>h`
  <svg class="fallback" viewBox="0 0 24 24" role="img" aria-label=${s}>
    <rect width="24" height="24" fill="none" />
    <path
      transform="translate(6 6) scale(0.5)"
      fill="currentColor"
      d="M21,5C19.89,4.65 18.67,4.5 17.5,4.5C15.55,4.5 13.45,4.9 12,6C10.55,4.9 8.45,4.5 6.5,4.5C4.55,4.5 2.45,4.9 1,6V20.65C1,20.9 1.25,21.15 1.5,21.15C1.6,21.15 1.65,21.1 1.75,21.1C3.1,20.45 5.05,20 6.5,20C8.45,20 10.55,20.4 12,21.5C13.35,20.65 15.8,20 17.5,20C19.15,20 20.85,20.3 22.25,21.05C22.35,21.1 22.4,21.1 22.5,21.1C22.75,21.1 23,20.85 23,20.6V6C22.4,5.55 21.75,5.25 21,5M21,18.5C19.9,18.15 18.7,18 17.5,18C15.8,18 13.35,18.65 12,19.5V8C13.35,7.15 15.8,6.5 17.5,6.5C18.7,6.5 19.9,6.65 21,7V18.5Z"
    />
  </svg>
`,J=class extends v{constructor(){super();this._held=!1;this._onPointerDown=()=>{this._held=!1,window.clearTimeout(this._holdTimer),this._holdTimer=window.setTimeout(()=>{this._held=!0,this._action("hold")},Nt)};this._cancelHold=()=>{window.clearTimeout(this._holdTimer)};this._onTap=()=>{if(window.clearTimeout(this._holdTimer),this._held){this._held=!1;return}this._action("tap")};this._onKey=t=>{(t.key==="Enter"||t.key===" ")&&(t.preventDefault(),this._action("tap"))};this._failedCovers=new Set,this._syncing=!1}static{this.styles=it}static{this.properties={hass:{attribute:!1},_config:{state:!0},_failedCovers:{state:!0},_selected:{state:!0},_syncing:{state:!0},_syncMessage:{state:!0}}}static{this.getConfigForm=tt}static getStubConfig(t){let i=Ne(t);return{type:`custom:${S}`,...i?{entity:i}:{},...et}}setConfig(t){if(!t||typeof t!="object")throw new Error("Invalid configuration");if(t.entity!==void 0&&typeof t.entity!="string")throw new Error("entity must be an entity id");if(t.device_id!==void 0&&typeof t.device_id!="string")throw new Error("device_id must be a device id");this._config=t}getCardSize(){return this._config?Fe(this._config):4}getGridOptions(){return{columns:12,min_columns:6,rows:"auto"}}connectedCallback(){super.connectedCallback(),this._clock=window.setInterval(()=>this.requestUpdate(),Pt)}disconnectedCallback(){super.disconnectedCallback(),window.clearInterval(this._clock),window.clearTimeout(this._holdTimer)}shouldUpdate(t){let i=t.get("hass");if(t.size>1||!i||!this.hass||!this._entry)return!0;let n=this.hass;return i.entities!==n.entities||i.devices!==n.devices||i.locale!==n.locale?!0:Object.values(this._entry.entities).some(o=>i.states[o]!==n.states[o])}get _t(){return T(this.hass?.locale?.language??this.hass?.language)}get _language(){return this.hass?.locale?.language??this.hass?.language??"en"}render(){if(!this._config||!this.hass)return d;let t=this.hass,i=L(t,this._config);this._entry=i;let n=qe(t,this._config,i);if(n.kind==="missing"){let r=t.localize("ui.panel.lovelace.warning.entity_not_found",{entity:n.entityId});return h`<hui-warning>${r||this._t("missing.entity",{entity:n.entityId})}</hui-warning>`}let o=n.kind==="unavailable";return h`
      <ha-card class=${o?"unavailable":n.kind}>
        <div class="wrap">
          ${this._renderMain(n)} ${this._renderFooter(i,o)}
          ${o?d:this._renderSections(i)}
        </div>
      </ha-card>
    `}_renderMain(t){let i=this._t;switch(t.kind){case"no_config":return h`<div class="state"><div class="secondary">${i("missing.config")}</div></div>`;case"unavailable":return h`
          <div class="state greyed" @click=${()=>this._moreInfo(t.entityId)}>
            <div class="thumb">${ge(i("unavailable.title"))}</div>
            <div class="info">
              <div class="title line">${i("unavailable.title")}</div>
              <div class="secondary">${i("unavailable.down",{service:this._services(t.down)})}</div>
            </div>
          </div>
        `;case"empty":return h`
          <div class="state" @click=${()=>this._moreInfo(t.entityId)}>
            <div class="thumb">${ge(i("empty.title"))}</div>
            <div class="info">
              <div class="title line">${i("empty.title")}</div>
              <div class="secondary">
                ${t.lastFinished?i("empty.last_finished",{title:t.lastFinished}):i("empty.text")}
              </div>
            </div>
          </div>
        `;case"reading":return this._renderBook(t.book,t.down)}}_renderCover(t,i){return!t||this._failedCovers.has(t)?ge(i):h`<img
      src=${t}
      alt=${i}
      loading="lazy"
      referrerpolicy="no-referrer"
      @error=${()=>{this._failedCovers=new Set([...this._failedCovers,t])}}
    />`}_renderBook(t,i){let n=this._t,o=this._language,r=t.series.map(([g,m])=>m?n("book.series_volume",{series:g,sequence:m}):g).join(" · "),a=G(t.position),l=G(t.duration),u=G(t.left),p=he(t.lastListened,new Date,o),c=t.source==="audible"||t.source==="abs"||t.source==="both"?n(`source.${t.source}`):void 0;return h`
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
        @contextmenu=${g=>this._held&&g.preventDefault()}
      >
        <button
          class="cover"
          aria-label=${n("book.cover",{title:t.title})}
          @click=${g=>{g.stopPropagation(),this._moreInfo(t.entityId)}}
          @pointerdown=${g=>g.stopPropagation()}
        >
          ${this._renderCover(t.cover,n("book.cover",{title:t.title}))}
        </button>
        <div class="info">
          <div class="title line" title=${t.title}>${t.title}</div>
          ${r?h`<div class="series line" title=${r}>${r}</div>`:d}
          ${t.authors.length?h`<div class="secondary line">${n("book.by",{authors:t.authors.join(", ")})}</div>`:d}
          ${t.narrators.length?h`<div class="secondary line">${n("book.narrated_by",{narrators:t.narrators.join(", ")})}</div>`:d}
          ${t.percent===void 0?d:h`<div
                class="bar"
                role="progressbar"
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow=${Math.floor(t.percent)}
              >
                <div style="width: ${t.percent}%"></div>
              </div>`}
          <div class="numbers">
            ${t.percent===void 0?d:h`<span class="percent">${ue(t.percent,o)}</span>`}
            ${u?h`<span class="left">${n("book.time_left",{time:u})}</span>`:d}
            ${a&&l?h`<span class="position">${n("book.position",{position:a,duration:l})}</span>`:d}
          </div>
          ${c?h`<div class="secondary line where">${p?n("source.line",{source:c,when:p}):c}</div>`:d}
          ${i.length?h`<div class="warning line">${n("unavailable.partial",{service:this._services(i)})}</div>`:d}
        </div>
      </div>
    `}_renderFooter(t,i){if(this._config?.show_sync===!1||!this.hass)return d;let n=this._t,o=Le(this.hass,t.entities);if(!o&&!t.configEntryId)return d;let r=o?n(`sync.${o.kind}`,{count:o.count}):"";return h`
      <div class="footer">
        ${o?h`<button class="badge ${o.kind}" data-sync=${o.kind} @click=${()=>this._moreInfo(o.entityId)}>
              ${r}
            </button>`:h`<span></span>`}
        <span>
          ${this._syncMessage?h`<span class="sync-message ${this._syncMessage.error?"error":""}">${this._syncMessage.text}</span>`:d}
          ${t.configEntryId?h`<button
                class="sync-now"
                ?disabled=${this._syncing||i}
                @click=${()=>this._syncNow(t.configEntryId)}
              >
                ${n("sync.now")}
              </button>`:d}
        </span>
      </div>
    `}_renderSections(t){let i=this.hass,n=this._config,o=this._t,r=[];if(n.show_in_progress!==!1){let u=Ue(i,t.entities);u.length&&r.push(this._renderShelf(u))}let a=n.show_next_up!==!1?De(i,t.entities):void 0;if(a){let u=a.series&&a.sequence?o("book.series_volume",{series:a.series,sequence:a.sequence}):a.series;r.push(h`
        <section class="next-up">
          <h3>${o("section.next_up")}</h3>
          <button class="next" @click=${()=>this._moreInfo(a.entityId)}>
            <div class="thumb">${this._renderCover(a.cover,o("book.cover",{title:a.title}))}</div>
            <div class="text">
              <div class="line" title=${a.title}>${a.title}</div>
              ${u?h`<div class="series line">${u}</div>`:d}
              ${a.authors.length?h`<div class="secondary line">${a.authors.join(", ")}</div>`:d}
            </div>
          </button>
        </section>
      `)}let l=n.show_missing_volumes!==!1?je(i,t.entities):void 0;if(l?.length){let u=l.slice(0,z);r.push(h`
        <section class="missing-volumes" @click=${()=>this._moreInfo(t.entities.missing_volumes)}>
          <h3>${o("section.missing_volumes")}</h3>
          <ul>
            ${u.map(p=>h`<li>
                <div class="missing-series line" title=${p.title}>${p.title}</div>
                ${p.missing.slice(0,z).map(c=>h`<div class="secondary line">
                    ${c.sequence?o("missing.volume",{sequence:c.sequence,title:c.title}):c.title}
                    ${c.releaseDate?h` · ${o("missing.release",{date:c.releaseDate})}`:d}
                    ${c.inWishlist?h` · <span class="wishlist">${o("missing.wishlist")}</span>`:d}
                  </div>`)}
                ${p.missing.length>z?h`<div class="secondary">${o("missing.more",{count:p.missing.length-z})}</div>`:d}
              </li>`)}
            ${l.length>z?h`<li class="secondary">${o("missing.more",{count:l.length-z})}</li>`:d}
          </ul>
        </section>
      `)}if(n.show_listening!==!1){let u=Be(i,t.entities);if(u.today!==void 0||u.week!==void 0){let p=(c,g,m)=>g===void 0||!m?d:h`<button class="total" @click=${()=>this._moreInfo(m)}>
                <span class="secondary">${c}</span>
                <span class="value">${Oe(g)}</span>
              </button>`;r.push(h`
          <section class="listening">
            <h3>${o("section.listening")}</h3>
            <div class="totals">
              ${p(o("listening.today"),u.today,t.entities.listening_time_today)}
              ${p(o("listening.week"),u.week,t.entities.listening_time_this_week)}
            </div>
          </section>
        `)}}if(n.show_goals!==!1){let u=this._renderGoals(Ve(i,t.entities));u&&r.push(u)}return r}_renderGoals({streak:t,year:i}){let n=this._t,o;t&&t.days>0?o=t.longest!==void 0&&t.longest>t.days?n("goals.streak_longest",{days:t.days,longest:t.longest}):n("goals.streak",{days:t.days}):t?.longest&&(o=n("goals.longest",{longest:t.longest}));let r;if(i?.goal!==void 0){let a=i.ahead===void 0?void 0:i.ahead>0?n("goals.ahead",{count:i.ahead}):i.ahead<0?n("goals.behind",{count:-i.ahead}):n("goals.on_track");r=h`<button class="year" @click=${()=>this._moreInfo(i.entityId)}>
        <div class="line">
          ${n("goals.year",{finished:i.finished??0,goal:i.goal})}
          ${a?h`<span class="secondary pace"> — ${a}</span>`:d}
        </div>
        ${i.percent===void 0?d:h`<div class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=${Math.floor(i.percent)}>
              <div style="width: ${i.percent}%"></div>
            </div>`}
      </button>`}else i?.finished!==void 0&&(r=h`<button class="year" @click=${()=>this._moreInfo(i.entityId)}>
        <div class="line">${n("goals.finished_year",{count:i.finished})}</div>
      </button>`);if(!(!o&&!r))return h`
      <section class="goals">
        <h3>${n("section.goals")}</h3>
        ${o&&t?h`<button class="streak" @click=${()=>this._moreInfo(t.entityId)}>
              ${t.days>0?h`<ha-svg-icon .path=${Ht}></ha-svg-icon>`:d}
              <div class="line" title=${o}>${o}</div>
            </button>`:d}
        ${r??d}
      </section>
    `}_renderShelf(t){let i=this._t,n=this._selected!==void 0?t[this._selected]:void 0,o=n?he(n.lastListened,new Date,this._language):void 0,r=n?[n.title,n.author,n.percent===void 0?void 0:ue(n.percent,this._language),o].filter(Boolean).join(" · "):void 0;return h`
      <section class="in-progress">
        <h3>${i("section.in_progress")}</h3>
        <div class="shelf">
          ${t.map((a,l)=>h`<button
              class="shelf-book ${l===this._selected?"selected":""}"
              title=${a.title}
              aria-pressed=${l===this._selected?"true":"false"}
              @click=${()=>{this._selected=this._selected===l?void 0:l}}
            >
              <div class="thumb">${this._renderCover(a.cover,i("book.cover",{title:a.title}))}</div>
              <div class="bar"><div style="width: ${a.percent??0}%"></div></div>
            </button>`)}
        </div>
        ${r?h`<div class="detail line" title=${r}>${r}</div>`:d}
      </section>
    `}_services(t){let i=this._t;return t.length>1?i("unavailable.both"):t[0]?i(`source.${t[0]}`):i("source.audible")}_fire(t,i){this.dispatchEvent(new CustomEvent(t,{detail:i,bubbles:!0,composed:!0}))}_moreInfo(t){this._fire("hass-more-info",{entityId:t})}_action(t){let i=this._config,n=this._entry?.entities.currently_reading??i.entity;this._fire("hass-action",{config:{entity:n,tap_action:i.tap_action??{action:"more-info"},hold_action:i.hold_action??{action:"none"}},action:t})}async _syncNow(t){let i=this._t;this._syncing=!0,this._syncMessage=void 0;try{await this.hass.callService(w,"sync_now",{config_entry_id:t}),this._syncMessage={error:!1,text:i("sync.done")}}catch(n){let o=n instanceof Error?n.message:n?.message;this._syncMessage={error:!0,text:o?`${i("sync.error")}: ${o}`:i("sync.error")}}finally{this._syncing=!1}}};function Ot(s,e){if(!Pe(s,e))return null;let i=L(s,{type:S,entity:e}).entities.currently_reading;return i?{config:{type:`custom:${S}`,entity:i}}:null}if(!customElements.get(S)){customElements.define(S,J);let s=T(document.documentElement.lang);window.customCards=window.customCards??[],window.customCards.push({type:S,name:s("card.name"),description:s("card.description"),preview:!0,documentationURL:"https://github.com/audible-tracker/audible_tracker#the-dashboard-card-and-blueprints",getEntitySuggestion:Ot})}export{Ot as entitySuggestion};
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
