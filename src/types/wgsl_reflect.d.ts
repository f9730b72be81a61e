// wgsl_reflect's package "main" is a CommonJS file inside a "type": "module" package, which Node refuses to
// load; its ES module build is imported directly, and these are its published types.
declare module 'wgsl_reflect/wgsl_reflect.module.js' {
  export * from 'wgsl_reflect';
}
