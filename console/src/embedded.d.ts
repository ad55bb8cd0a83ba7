/** The data scripts/build/console.ts embeds at build time (see review-data.ts). */
declare module 'console:review-data' {
  const data: import('./review-data.js').ReviewData;
  export default data;
}
