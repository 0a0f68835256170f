export {
  TypesenseSearchIndex,
  type TypesenseSearchIndexOptions,
} from './typesense-search-index.js';
