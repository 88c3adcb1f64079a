import { HttpApi } from '../../../sdk/client/index.js';
import type { AdminReport, ReportAction, ReportPage } from '../../../sdk/protocol/reports.js';
import { fieldsOf } from '../i18n/error-text';
import type {
  AdminUser,
  AppHealth,
  AuditEntry,
  AuditFilter,
  Business,
  CurrencyBalances,
  Delivery,
  LedgerCheck,
  NewBusiness,
  NewUser,
  PaymentsReports,
  PluginInfo,
  PluginLogEntry,
  UserPage,
  UserQuery,
} from './admin-types';

/** Answers that mean the admin token is not (or no longer) the host's: the console asks for it again. */
const TOKEN_REFUSED = new Set(['admin_required', 'unauthenticated']);

/** Query parameters from the values given (absent and empty ones left out). */
function query(values: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined && value !== '') params.set(name, String(value));
  }
  return params.size > 0 ? `?${params.toString()}` : '';
}

const id = encodeURIComponent;

/**
 * The operator's admin API with the admin token: an HttpApi of its own (never the signed-in
 * person's). `onRefused` hears every answer that refuses the token, whichever call got it.
 */
export function adminApi(token: string, onRefused: (error: unknown) => void) {
  const http = new HttpApi({ baseUrl: location.origin, token });
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    try {
      return await http.request<T>(method, path, body);
    } catch (error) {
      if (TOKEN_REFUSED.has(fieldsOf(error).code)) onRefused(error);
      throw error;
    }
  };
  const admin = <T>(method: string, path: string, body?: unknown) => call<T>(method, `/v1/admin${path}`, body);
  const payments = <T>(method: string, path: string, body?: unknown) =>
    call<T>(method, `/plugins/payments/admin${path}`, body);
  const business = <T>(method: string, path: string, body?: unknown) =>
    call<T>(method, `/plugins/business/admin${path}`, body);

  return {
    users: (q: UserQuery, limit = 25) => admin<UserPage>('GET', `/users${query({ ...q, limit })}`),
    createUser: (user: NewUser) => admin<AdminUser>('POST', '/users', user),
    rename: (userId: string, displayName: string) => admin<AdminUser>('PATCH', `/users/${id(userId)}`, { displayName }),
    deactivate: (userId: string) => admin<AdminUser>('POST', `/users/${id(userId)}/deactivate`),
    reactivate: (userId: string) => admin<AdminUser>('POST', `/users/${id(userId)}/reactivate`),
    setPassword: (userId: string, password: string) =>
      admin<void>('POST', `/users/${id(userId)}/password`, { password }),

    reports: (before?: string, limit = 25) => admin<ReportPage>('GET', `/reports${query({ before, limit })}`),
    resolveReport: (reportId: string, action: ReportAction) =>
      admin<AdminReport>('POST', `/reports/${id(reportId)}/resolve`, { action }),

    plugins: async () => (await admin<{ plugins: PluginInfo[] }>('GET', '/plugins')).plugins,
    enable: (pluginId: string) => admin<PluginInfo>('POST', `/plugins/${id(pluginId)}/enable`),
    disable: (pluginId: string) => admin<PluginInfo>('POST', `/plugins/${id(pluginId)}/disable`),
    settings: async (pluginId: string) =>
      (await admin<{ settings: unknown }>('GET', `/plugins/${id(pluginId)}/settings`)).settings,
    logs: async (pluginId: string) =>
      (await admin<{ entries: PluginLogEntry[] }>('GET', `/plugins/${id(pluginId)}/logs?limit=100`)).entries,
    apps: async () => (await admin<{ apps: AppHealth[] }>('GET', '/apps')).apps,
    audit: async (filter: AuditFilter, limit = 50) =>
      (await admin<{ entries: AuditEntry[] }>('GET', `/audit${query({ ...filter, limit })}`)).entries,

    businesses: async () => (await business<{ businesses: Business[] }>('GET', '/businesses')).businesses,
    createBusiness: (input: NewBusiness) => business<Business>('POST', '/businesses', input),
    setVerified: (businessId: string, verified: boolean) =>
      business<Business>('POST', `/businesses/${id(businessId)}/verified`, { verified }),
    deadLetters: async () => (await business<{ deliveries: Delivery[] }>('GET', '/webhooks?status=dead')).deliveries,
    replay: (deliveryId: string) => business<{ replayed: true }>('POST', `/webhooks/${id(deliveryId)}/replay`),

    verifyLedger: () => payments<LedgerCheck>('POST', '/verify', {}),
    paymentsReports: async (): Promise<PaymentsReports> => {
      const [balances, volume, reconciliation] = await Promise.all([
        payments<{ currencies: Record<string, CurrencyBalances> }>('GET', '/reports/balances'),
        payments<{ transfers: PaymentsReports['transfers'] }>('GET', '/reports/volume'),
        payments<PaymentsReports['reconciliation']>('GET', '/reports/reconciliation'),
      ]);
      return { balances: balances.currencies, transfers: volume.transfers, reconciliation };
    },
  };
}

export type AdminApi = ReturnType<typeof adminApi>;
