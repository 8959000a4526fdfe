import './polyfill.js';
