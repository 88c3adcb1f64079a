import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { AdminApi } from './admin-api';

const AdminContext = createContext<AdminApi | null>(null);

export const AdminApiProvider = AdminContext.Provider;

/** The admin API with the token the operator gave, for the console's panels. */
export function useAdminApi(): AdminApi {
  const api = useContext(AdminContext);
  if (!api) throw new Error('useAdminApi() needs the admin console above it');
  return api;
}
