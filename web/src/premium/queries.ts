import { type DataOf, unwrap } from '@one2one/client';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api.ts';

export type Plan = DataOf<'/v1/billing/plans', 'get'>[number];
export type Entitlements = DataOf<'/v1/billing/entitlements', 'get'>;
export type Invoice = DataOf<'/v1/billing/invoices', 'get'>[number];

export const premiumKeys = {
  plans: ['premium', 'plans'] as const,
  entitlements: ['premium', 'entitlements'] as const,
  invoices: ['premium', 'invoices'] as const,
};

export function usePlans() {
  return useQuery({ queryKey: premiumKeys.plans, queryFn: () => unwrap(api.GET('/v1/billing/plans')) });
}

export function useEntitlements() {
  return useQuery({
    queryKey: premiumKeys.entitlements,
    queryFn: () => unwrap(api.GET('/v1/billing/entitlements')),
  });
}

export function useInvoices() {
  return useQuery({
    queryKey: premiumKeys.invoices,
    queryFn: () => unwrap(api.GET('/v1/billing/invoices', { params: { query: { limit: 50 } } })),
  });
}
