/** @type {import('next').NextConfig} */
const nextConfig = {
  // Static HTML in out/: no server at run time, any static host works.
  output: 'export',
  // /methods/lora/ -> out/methods/lora/index.html, which every static host resolves.
  trailingSlash: true,
  images: { unoptimized: true },
  // The MDX pipeline runs only at build time; keep these out of the server bundle so
  // shiki can load its grammars and themes from node_modules as it expects.
  serverExternalPackages: ['@mdx-js/mdx', 'shiki', '@shikijs/rehype'],
};

export default nextConfig;
