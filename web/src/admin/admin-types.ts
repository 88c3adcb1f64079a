import type {
  AppState,
  AuditEntry,
  AuditFilter,
  PluginInfo,
  PluginLogEntry,
  PluginStatus,
} from '../../../sdk/protocol/admin.js';
import type { AccountStatus, AdminUser, UserKind } from '../../../sdk/protocol/message.js';

/**
 * What the operator's admin API answers, as the console reads it: the host's routes
 * (docs/protocol.md "Admin", docs/plugins.md, docs/apps.md) and the operator routes of the
 * payments and business plugins (docs/payments.md, docs/business.md).
 */
export type { AccountStatus, AdminUser, UserKind };
export type { AppState, AuditEntry, AuditFilter, PluginInfo, PluginLogEntry, PluginStatus };

export interface UserPage {
  users: AdminUser[];
  hasMore: boolean;
}

export interface UserQuery {
  query?: string;
  status?: AccountStatus;
  after?: string;
}

export interface NewUser {
  handle: string;
  displayName: string;
  password?: string;
  kind: UserKind;
}

export interface AppHealth {
  id: string;
  state: AppState;
  workerPid: number | null;
  workerRssBytes: number | null;
  restarts: number;
  collateralRestarts: number;
  failures: Record<string, number>;
  lastFailure: { reason: string; message: string; at: string } | null;
  cpuMs: number;
  cpuMsLastMinute: number;
  heapUsedBytes: number;
  externalBytes: number;
  heapLimitBytes: number;
  events: number;
  failedEvents: number;
  pendingCalls: number;
  quarantined: boolean;
}

export interface Business {
  id: string;
  name: string;
  about: string | null;
  verified: boolean;
  createdAt: string;
}

export interface NewBusiness {
  name: string;
  about?: string;
  ownerId: string;
}

export interface Delivery {
  deliveryId: string;
  businessId: string;
  url: string;
  status: 'pending' | 'delivered' | 'dead';
  attempts: number;
  events: number;
  lastError: string | null;
  createdAt: string;
}

export interface LedgerCheck {
  ok: boolean;
  accounts: number;
  transactions: number;
  postings: number;
  problems: string[];
}

export interface CurrencyBalances {
  users: number;
  holds: number;
  providers: number;
  total: number;
  wallets: number;
}

export interface PaymentsReports {
  balances: Record<string, CurrencyBalances>;
  transfers: { currency: string; count: number; sum_amount: number | null }[];
  reconciliation: {
    operations: number;
    agreed: number;
    pending: string[];
    mismatches: { operationId: string; ledger: string; provider: string | null }[];
  };
}
