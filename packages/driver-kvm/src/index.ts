export * from './libvirt/index.js';
