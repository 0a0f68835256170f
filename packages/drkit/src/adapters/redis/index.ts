export {
  RedisCache,
  escapeGlob,
  type RedisCacheOptions,
  type RedisEndpoint,
} from './redis-cache.js';
