// The Vite side of the example (not run by the demo: its ws backend stands in for Vite).
export default {
  server: {
    port: 5173,
    hmr: { path: '/__vite_hmr', clientPort: 80 },
  },
};
