/** The guest image: build it from Debian packages, load a built one, describe its manifest. */
export { buildImage, type BuildImageOptions } from './build.ts';
export { loadImage, type LoadImageOptions } from './load.ts';
export { initramfsFor, initrdFor, type CaseInitrd } from './initrd.ts';
export { defaultCacheDir } from './cache.ts';
export { formatManifest, parseManifest } from './manifest.ts';
export { DEFAULT_RECIPE, GUEST_MODULES, PROGRAMS, TOOLS } from './recipe.ts';
export type {
  GuestImage,
  ImageManifest,
  ManifestModule,
  ManifestPackage,
  ManifestProgram,
  ManifestSegment,
  Recipe,
  RecipeProgram,
  RecipeTool,
} from './image.ts';
