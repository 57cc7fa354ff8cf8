import type { ProfileView } from '../../users/index.ts';

/**
 * Which of the three REST views the users service returned: the own view
 * alone has `status`, the partner view adds `timeZone` to the public card.
 */
export const User = {
  resolveType(view: ProfileView): 'OwnProfile' | 'PartnerProfile' | 'UserCard' {
    if ('status' in view) return 'OwnProfile';
    if ('timeZone' in view) return 'PartnerProfile';
    return 'UserCard';
  },
};
