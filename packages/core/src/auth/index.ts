export { ROLES, hasRole, isRole, type Role } from './roles.js';
export type { ApiToken } from './entities.js';
export { TokenService, TOKEN_PREFIX, type CreateTokenInput } from './token-service.js';
